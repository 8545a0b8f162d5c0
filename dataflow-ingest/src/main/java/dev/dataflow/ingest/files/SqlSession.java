package dev.dataflow.ingest.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Runs this package's SQL on the caller's connection, one statement object per query: DuckDB's JDBC
 * driver closes a statement when its query fails, and the caller's own statement must survive a
 * probe that fails. Also owns the scratch tables and files of one read and drops them on close.
 */
final class SqlSession implements AutoCloseable {
  private final Connection connection;
  private final String suffix = UUID.randomUUID().toString().replace("-", "");
  private final List<String> scratch = new ArrayList<>();
  private final List<Path> scratchFiles = new ArrayList<>();

  SqlSession(Connection connection) {
    this.connection = connection;
  }

  /** A temp table name unique to this read, dropped on close. */
  String scratchTable(String purpose) {
    String name = "__df_" + purpose + "_" + suffix;
    scratch.add(name);
    return name;
  }

  /**
   * A new empty file unique to this read, deleted on close. It is in DuckDB's temp directory
   * because the engine lets DuckDB write there (its spill directory) and in few other places.
   */
  Path scratchFile(String purpose) throws SQLException {
    Path directory = Path.of(query("SELECT current_setting('temp_directory')").get(0).get(0));
    try {
      Files.createDirectories(directory);
      Path file = Files.createTempFile(directory.toAbsolutePath(), "__df_" + purpose + "_", "");
      scratchFiles.add(file);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  long update(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      statement.execute(sql);
      return Math.max(statement.getUpdateCount(), 0);
    }
  }

  long queryLong(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  /** Rows of a small metadata query, every value as text. */
  List<List<String>> query(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      List<List<String>> result = new ArrayList<>();
      int width = rows.getMetaData().getColumnCount();
      while (rows.next()) {
        List<String> row = new ArrayList<>(width);
        for (int i = 1; i <= width; i++) {
          row.add(rows.getString(i));
        }
        result.add(row);
      }
      return result;
    }
  }

  boolean autoCommit() throws SQLException {
    return connection.getAutoCommit();
  }

  boolean exists(String table) throws SQLException {
    return queryLong(
            "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = "
                + literal(table))
        > 0;
  }

  @Override
  public void close() {
    for (String table : scratch) {
      try {
        update("DROP TABLE IF EXISTS temp.main." + identifier(table));
      } catch (SQLException ignored) {
        // a scratch table left behind is temporary and dies with the connection; the read's outcome
        // stands
      }
    }
    for (Path file : scratchFiles) {
      // a scratch file left behind is in the temp directory; the read's outcome stands
      file.toFile().delete();
    }
  }

  static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** A possibly qualified table name ({@code schema.table}), each part quoted. */
  static String tableName(String name) {
    List<String> parts = new ArrayList<>();
    for (String part : name.split("\\.", -1)) {
      parts.add(identifier(part));
    }
    return String.join(".", parts);
  }
}
