package dev.dataflow.sql.plan;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.TypeMapping;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * The files of one table at one snapshot that a query must read, after Iceberg prunes by partition
 * and column statistics, and the DuckDB relation that reads them by field id.
 */
public record TableScan(
    long snapshotId, Schema schema, List<String> files, long totalFiles, long bytes) {

  /** Plans a scan; {@code snapshot} null means the table is empty. */
  public static TableScan plan(Table table, Snapshot snapshot, Expression filter) {
    if (snapshot == null) {
      return new TableScan(-1, table.schema(), List.of(), 0, 0);
    }
    Schema schema = table.schemas().get(snapshot.schemaId());
    List<String> files = new ArrayList<>();
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks =
        table.newScan().useSnapshot(snapshot.snapshotId()).filter(filter).planFiles()) {
      for (FileScanTask task : tasks) {
        if (!task.deletes().isEmpty()) {
          throw new DataflowException(
              ErrorCode.UNSUPPORTED, "Table " + table.name() + " has delete files, not read yet");
        }
        files.add(task.file().location());
        bytes += task.file().fileSizeInBytes();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long total = Long.parseLong(snapshot.summary().getOrDefault("total-data-files", "-1"));
    return new TableScan(snapshot.snapshotId(), schema, List.copyOf(files), total, bytes);
  }

  /**
   * A SELECT that yields the table's rows with its current column names and types. A table whose
   * schema never changed is read as plain Parquet: every file holds exactly its columns, and DuckDB
   * keeps its row estimates, which its join ordering needs (reading with a {@code schema} map makes
   * every scan look like one row). After a schema change files are read by Iceberg field id, so
   * renamed and added columns read right from files written before the change.
   */
  public String relationSql(Warehouse warehouse, boolean schemaEvolved) {
    return relationSql(warehouse, schemaEvolved, false);
  }

  /**
   * The relation over the files' local copies in {@code warehouse}, with a {@code filename} column
   * naming each row's local file when asked.
   */
  public String relationSql(Warehouse warehouse, boolean schemaEvolved, boolean withFilename) {
    if (files.isEmpty()) {
      List<String> columns = new ArrayList<>();
      for (Types.NestedField field : schema.columns()) {
        columns.add(
            "CAST(NULL AS "
                + TypeMapping.duckdbType(field.type())
                + ") AS "
                + Engine.identifier(field.name()));
      }
      return "SELECT " + String.join(", ", columns) + " WHERE false";
    }
    List<String> quoted = new ArrayList<>();
    for (String file : files) {
      quoted.add(Engine.literal(warehouse.localPath(file)));
    }
    if (!schemaEvolved) {
      // partition directories are Iceberg's business, not columns
      return "SELECT * FROM read_parquet(["
          + String.join(", ", quoted)
          + "], hive_partitioning = false"
          + (withFilename ? ", filename = true" : "")
          + ")";
    }
    List<String> mapping = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      mapping.add(
          field.fieldId()
              + ": {name: "
              + Engine.literal(field.name())
              + ", type: "
              + Engine.literal(TypeMapping.duckdbType(field.type()))
              + ", default_value: NULL}");
    }
    return "SELECT * FROM read_parquet(["
        + String.join(", ", quoted)
        + "], schema = MAP {"
        + String.join(", ", mapping)
        + "}"
        + (withFilename ? ", filename = true" : "")
        + ")";
  }
}
