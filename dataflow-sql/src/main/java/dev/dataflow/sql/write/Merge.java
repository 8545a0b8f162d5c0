package dev.dataflow.sql.write;

import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.plan.TableScan;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.types.Types;

/**
 * A copy-on-write upsert: the data files holding any key of the new rows are rewritten without
 * those rows, together with the new rows (one per key, except those marked {@link
 * TableWriter#DELETED}), and replace the old files in one commit. The table's files stay held in
 * the warehouse until the merge closes, for the write of its rows reads them.
 */
record Merge(List<DataFile> replaced, String rows, Warehouse.Held held) implements AutoCloseable {
  @Override
  public void close() {
    held.close();
  }

  static Merge plan(
      Statement statement, Table table, String sql, List<String> key, Warehouse warehouse) {
    String keys = keyList(key);
    String incoming = incoming(statement, sql, keys);
    if (table.currentSnapshot() == null) {
      return new Merge(List.of(), incoming, Warehouse.Held.NOTHING);
    }
    Map<String, DataFile> files = dataFiles(table, warehouse);
    if (files.isEmpty()) {
      return new Merge(List.of(), incoming, Warehouse.Held.NOTHING);
    }
    TableScan planned = TableScan.plan(table, table.currentSnapshot(), Expressions.alwaysTrue());
    // the rows kept are written in the table's current schema, which may be newer than the
    // snapshot's (a column added since): read the files by field id into it
    TableScan scan =
        new TableScan(
            planned.snapshotId(),
            table.schema(),
            planned.files(),
            planned.totalFiles(),
            planned.bytes());
    Warehouse.Held held = warehouse.hold(scan.files());
    try {
      return plan(statement, table, sql, keys, incoming, files, scan, warehouse, held);
    } catch (RuntimeException e) {
      held.close();
      throw e;
    }
  }

  private static Merge plan(
      Statement statement,
      Table table,
      String sql,
      String keys,
      String incoming,
      Map<String, DataFile> files,
      TableScan scan,
      Warehouse warehouse,
      Warehouse.Held held) {
    String existing = scan.relationSql(warehouse, table.schemas().size() > 1, true);
    List<String> touched = touchedFiles(statement, existing, sql, keys);
    if (touched.isEmpty()) {
      held.close();
      return new Merge(List.of(), incoming, Warehouse.Held.NOTHING);
    }
    List<String> quoted = touched.stream().map(Engine::literal).toList();
    String columns =
        table.schema().columns().stream()
            .map(Types.NestedField::name)
            .map(Engine::identifier)
            .collect(Collectors.joining(", "));
    String kept =
        "SELECT "
            + columns
            + " FROM ("
            + existing
            + ") AS __old WHERE filename IN ("
            + String.join(", ", quoted)
            + ") AND ("
            + keys
            + ") NOT IN (SELECT "
            + keys
            + " FROM ("
            + sql
            + ") AS __new_keys)";
    String rows = kept + " UNION ALL BY NAME " + incoming;
    List<DataFile> replaced = new ArrayList<>();
    touched.forEach(path -> replaced.add(files.get(path)));
    return new Merge(List.copyOf(replaced), rows, held);
  }

  /** The new rows to write, one per key, without the rows that delete their key. */
  private static String incoming(Statement statement, String sql, String keys) {
    String one =
        "SELECT * FROM ("
            + sql
            + ") AS __new QUALIFY row_number() OVER (PARTITION BY "
            + keys
            + ") = 1";
    if (!hasColumn(statement, sql, TableWriter.DELETED)) {
      return one;
    }
    String deleted = Engine.identifier(TableWriter.DELETED);
    return "SELECT * EXCLUDE ("
        + deleted
        + ") FROM ("
        + one
        + ") AS __one WHERE "
        + deleted
        + " IS NOT TRUE";
  }

  private static boolean hasColumn(Statement statement, String sql, String column) {
    try (ResultSet rows = statement.executeQuery("DESCRIBE " + sql)) {
      while (rows.next()) {
        if (rows.getString("column_name").equalsIgnoreCase(column)) {
          return true;
        }
      }
      return false;
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** How many distinct keys the new rows hold: the rows a merge writes or deletes. */
  static long count(Statement statement, String sql, List<String> key) {
    String keys = keyList(key);
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT count(*) FROM (SELECT DISTINCT " + keys + " FROM (" + sql + "))")) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  private static String keyList(List<String> key) {
    return key.stream().map(Engine::identifier).collect(Collectors.joining(", "));
  }

  private static List<String> touchedFiles(
      Statement statement, String existing, String sql, String keys) {
    String query =
        "SELECT DISTINCT filename FROM ("
            + existing
            + ") AS __old WHERE ("
            + keys
            + ") IN (SELECT "
            + keys
            + " FROM ("
            + sql
            + ") AS __new_keys)";
    List<String> files = new ArrayList<>();
    try (ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        files.add(rows.getString(1));
      }
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
    return files;
  }

  /** The table's data files by the local path DuckDB's {@code filename} column names. */
  private static Map<String, DataFile> dataFiles(Table table, Warehouse warehouse) {
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      Map<String, DataFile> files = new java.util.HashMap<>();
      for (FileScanTask task : tasks) {
        files.put(warehouse.localPath(task.file().location()), task.file());
      }
      return files;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
