package dev.dataflow.sql.write;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Fencing;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.TypeMapping;
import dev.dataflow.sql.parse.Statement.PartitionField;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.OverwriteFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Types;

/**
 * Writes query results into lake tables: DuckDB writes Parquet with Iceberg field ids straight into
 * the table's data directory, and the files are committed as one Iceberg append, with any summary
 * properties (such as a pipeline's source offsets) in the same snapshot.
 */
public final class TableWriter {
  private static final DateTimeFormatter BATCH = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

  /**
   * In a MERGE, a row whose boolean column of this name is true deletes its key instead of being
   * written (change data capture applies deletes this way); the column is never written.
   */
  public static final String DELETED = "__df_deleted";

  private final Lake lake;

  public TableWriter(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /** The outcome of a write: rows written and the snapshot that holds them (-1 when nothing). */
  public record WriteResult(long rows, long snapshotId, int files) {}

  /** The Iceberg schema of a query's result, from DuckDB's DESCRIBE. */
  public static Schema schemaOf(Statement statement, String sql) {
    List<Types.NestedField> fields = new ArrayList<>();
    AtomicInteger ids = new AtomicInteger();
    Set<String> names = new HashSet<>();
    try (ResultSet rows = statement.executeQuery("DESCRIBE " + sql)) {
      while (rows.next()) {
        String name = rows.getString("column_name");
        if (!names.add(name.toLowerCase(Locale.ROOT))) {
          throw new DataflowException(
              ErrorCode.INVALID_ARGUMENT,
              "The query returns two columns named " + name + ": give one of them an alias (AS …)");
        }
        int id = ids.incrementAndGet();
        fields.add(
            Types.NestedField.optional(
                id, name, TypeMapping.icebergType(rows.getString("column_type"), name, ids)));
      }
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
    return new Schema(fields);
  }

  public static PartitionSpec spec(Schema schema, List<PartitionField> fields) {
    PartitionSpec.Builder spec = PartitionSpec.builderFor(schema);
    for (PartitionField field : fields) {
      Types.NestedField column = schema.caseInsensitiveFindField(field.column());
      if (column == null) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot partition by " + field.column() + ": the query has no such column");
      }
      String name = column.name();
      try {
        switch (field.transform()) {
          case "identity" -> spec.identity(name);
          case "day" -> spec.day(name);
          case "month" -> spec.month(name);
          case "year" -> spec.year(name);
          case "hour" -> spec.hour(name);
          case "bucket" -> spec.bucket(name, field.width());
          case "truncate" -> spec.truncate(name, field.width());
          default -> throw new IllegalArgumentException("unknown transform " + field.transform());
        }
      } catch (IllegalArgumentException e) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Cannot partition by " + field.transform() + "(" + name + "): " + e.getMessage());
      }
    }
    return spec.build();
  }

  /**
   * Creates the table from the query's schema and writes the query into it. Statements run on
   * {@code statement}, so cancelling it stops the write.
   */
  public WriteResult createTableAs(
      Statement statement, DatasetPath path, List<PartitionField> partitioning, String sql) {
    Schema schema = schemaOf(statement, sql);
    Table table = lake.createTable(path, schema, spec(schema, partitioning), Map.of());
    try {
      return append(statement, table, sql, Map.of());
    } catch (RuntimeException e) {
      lake.dropTable(path);
      throw e;
    }
  }

  /**
   * Appends a query's rows to a table, matching the query's columns to {@code columns} (or to all
   * the table's columns, in order, when empty) and casting each to the column's type.
   */
  public WriteResult insert(
      Statement statement,
      Table table,
      List<String> columns,
      String sql,
      Map<String, String> summary) {
    Schema querySchema = schemaOf(statement, sql);
    List<String> targets = columns.isEmpty() ? columnNames(table.schema()) : columns;
    if (querySchema.columns().size() != targets.size()) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "INSERT INTO "
              + table.name()
              + " gives "
              + querySchema.columns().size()
              + " values for "
              + targets.size()
              + " columns");
    }
    List<String> aliases = new ArrayList<>();
    for (int i = 0; i < targets.size(); i++) {
      aliases.add("c" + i);
    }
    List<String> projection = new ArrayList<>();
    for (Types.NestedField field : table.schema().columns()) {
      int index = indexOf(targets, field.name(), table.name());
      projection.add(index < 0 ? "NULL" : Engine.identifier("c" + index));
    }
    List<String> named = new ArrayList<>();
    List<Types.NestedField> fields = table.schema().columns();
    for (int i = 0; i < fields.size(); i++) {
      named.add(projection.get(i) + " AS " + Engine.identifier(fields.get(i).name()));
    }
    String aligned =
        "SELECT "
            + String.join(", ", named)
            + " FROM ("
            + sql
            + ") AS __q("
            + String.join(", ", aliases)
            + ")";
    return append(statement, table, aligned, summary);
  }

  private static int indexOf(List<String> targets, String column, String table) {
    for (int i = 0; i < targets.size(); i++) {
      if (targets.get(i).equalsIgnoreCase(column)) {
        return i;
      }
    }
    return -1;
  }

  private static List<String> columnNames(Schema schema) {
    return schema.columns().stream().map(Types.NestedField::name).toList();
  }

  /** How written files join the table. */
  public enum Mode {
    /** Add the rows. */
    APPEND,
    /** Replace every row of the table. */
    OVERWRITE,
    /**
     * Replace the rows whose key the new rows hold, add the others (copy-on-write); rows marked
     * {@link #DELETED} remove their key.
     */
    MERGE
  }

  /** Writes a query whose columns are the table's, by name, and commits the files as one append. */
  public WriteResult append(
      Statement statement, Table table, String sql, Map<String, String> summary) {
    return write(statement, table, sql, Mode.APPEND, List.of(), summary);
  }

  /**
   * Writes a query whose columns are the table's, by name, as one Iceberg commit carrying {@code
   * summary}. The commit is made even when the query has no rows and the summary is not empty, so a
   * pipeline's offsets always advance with what it read. MERGE rewrites the data files that hold
   * any of the new rows' keys (copy-on-write: readers need no delete files); the new rows are taken
   * one per key.
   */
  public WriteResult write(
      Statement statement,
      Table table,
      String sql,
      Mode mode,
      List<String> key,
      Map<String, String> summary) {
    requireNonNull(mode, "mode is null");
    if (mode == Mode.MERGE && key.isEmpty()) {
      throw new DataflowException(ErrorCode.INVALID_ARGUMENT, "A merge needs key columns");
    }
    return write(statement, table, sql, mode, key, List.of(), summary);
  }

  /**
   * Appends a query whose columns are the table's, by name, and removes {@code retracted} (data
   * files of the table) in the same commit: a load retried from its start takes back what its
   * interrupted attempt appended, atomically with its own first rows.
   */
  public WriteResult appendRetracting(
      Statement statement,
      Table table,
      String sql,
      List<DataFile> retracted,
      Map<String, String> summary) {
    requireNonNull(retracted, "retracted is null");
    return write(statement, table, sql, Mode.APPEND, List.of(), retracted, summary);
  }

  private WriteResult write(
      Statement statement,
      Table table,
      String sql,
      Mode mode,
      List<String> key,
      List<DataFile> retracted,
      Map<String, String> summary) {
    return prepare(statement, table, sql, mode, key, retracted).commit(summary);
  }

  /**
   * Writes the data files of an append or an overwrite, to be committed (or aborted) later, as
   * {@link #appendRetracting} or {@link #write} would: a caller whose query's scan learns something
   * only as it runs (the records it rejects) acts on it before the rows become visible.
   */
  public PreparedWrite prepare(
      Statement statement, Table table, String sql, Mode mode, List<DataFile> retracted) {
    requireNonNull(mode, "mode is null");
    requireNonNull(retracted, "retracted is null");
    if (mode == Mode.MERGE) {
      throw new IllegalArgumentException("a merge reads the table: write it in one step");
    }
    return prepare(statement, table, sql, mode, List.of(), retracted);
  }

  private PreparedWrite prepare(
      Statement statement,
      Table table,
      String sql,
      Mode mode,
      List<String> key,
      List<DataFile> retracted) {
    table.refresh();
    if (mode == Mode.MERGE) {
      try (Merge merge = Merge.plan(statement, table, sql, key, lake.warehouse())) {
        ParquetBatch batch = ParquetBatch.write(statement, table, merge.rows(), lake.warehouse());
        return new PreparedWrite(statement, table, sql, mode, key, merge.replaced(), batch);
      }
    }
    ParquetBatch batch = ParquetBatch.write(statement, table, sql, lake.warehouse());
    return new PreparedWrite(statement, table, sql, mode, key, retracted, batch);
  }

  /** Data files written and not yet committed: {@link #commit} or {@link #abort} them. */
  public final class PreparedWrite {
    private final Statement statement;
    private final Table table;
    private final String sql;
    private final Mode mode;
    private final List<String> key;
    private final List<DataFile> replaced;
    private final ParquetBatch batch;
    private boolean settled;

    private PreparedWrite(
        Statement statement,
        Table table,
        String sql,
        Mode mode,
        List<String> key,
        List<DataFile> replaced,
        ParquetBatch batch) {
      this.statement = statement;
      this.table = table;
      this.sql = sql;
      this.mode = mode;
      this.key = key;
      this.replaced = replaced;
      this.batch = batch;
    }

    /** The rows in the written files. */
    public long rows() {
      return batch.rows();
    }

    /**
     * Commits the files as one snapshot carrying {@code summary}; the commit is made even when no
     * row was written and the summary is not empty, so a pipeline's offsets always advance with
     * what it read. A failed commit deletes the files.
     */
    public WriteResult commit(Map<String, String> summary) {
      if (settled) {
        throw new IllegalStateException("already committed or aborted");
      }
      if (batch.files().isEmpty()
          && replaced.isEmpty()
          && summary.isEmpty()
          && mode == Mode.APPEND) {
        return new WriteResult(0, -1, 0);
      }
      try {
        TableWriter.commit(table, mode, batch.files(), replaced, summary);
      } catch (RuntimeException e) {
        abort();
        throw e;
      }
      settled = true;
      table.refresh();
      long newRows = mode == Mode.MERGE ? Merge.count(statement, sql, key) : batch.rows();
      return new WriteResult(newRows, table.currentSnapshot().snapshotId(), batch.files().size());
    }

    /** Deletes the written files, unless they were committed or deleted already. */
    public void abort() {
      if (!settled) {
        settled = true;
        batch.delete(lake.warehouse());
      }
    }
  }

  /**
   * Rewrites the table's data files smaller than {@code smallBytes} into large ones when there are
   * at least {@code minFiles} of them, changing no row (see {@link Compaction}); returns how many
   * were rewritten, 0 when none were or a concurrent write replaced one of them.
   */
  public int compact(Statement statement, Table table, long smallBytes, int minFiles) {
    requireNonNull(statement, "statement is null");
    requireNonNull(table, "table is null");
    return Compaction.run(lake, statement, table, smallBytes, minFiles);
  }

  private static void commit(
      Table table,
      Mode mode,
      List<DataFile> added,
      List<DataFile> replaced,
      Map<String, String> summary) {
    if (mode == Mode.APPEND && replaced.isEmpty()) {
      AppendFiles append = InlineManifests.of(table.newAppend());
      added.forEach(append::appendFile);
      Fencing.apply(append, summary);
      append.commit();
      return;
    }
    OverwriteFiles overwrite = InlineManifests.of(table.newOverwrite());
    if (mode == Mode.OVERWRITE) {
      overwrite.overwriteByRowFilter(Expressions.alwaysTrue());
    } else {
      replaced.forEach(overwrite::deleteFile);
    }
    added.forEach(overwrite::addFile);
    Fencing.apply(overwrite, summary);
    overwrite.commit();
  }
}
