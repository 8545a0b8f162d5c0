package dev.dataflow.bench;

import static java.util.Objects.requireNonNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Objects;

/** A JDBC connection the queries run on: one per {@link Side}, and bench/fetch's JDBC paths. */
final class Target implements AutoCloseable {
  private static final List<String> TABLES =
      List.of("region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem");

  private final Connection connection;

  /** Rows per fetch, or 0: the driver's default. */
  private final int fetchSize;

  private Target(Connection connection) {
    this(connection, 0);
  }

  private Target(Connection connection, int fetchSize) {
    this.connection = requireNonNull(connection, "connection is null");
    this.fetchSize = fetchSize;
  }

  /** The Dataflow server, through the official Flight SQL JDBC driver. */
  static Target dataflow(String url) throws SQLException {
    return new Target(DriverManager.getConnection(url));
  }

  /**
   * A PostgreSQL server through pgjdbc, reading results through a cursor {@code fetchSize} rows at
   * a time (auto-commit off, which the cursor needs), as a client streaming a large result does;
   * without it pgjdbc holds the whole result in memory before the first row.
   */
  static Target postgres(String url, int fetchSize) throws SQLException {
    Connection connection = DriverManager.getConnection(url);
    try {
      connection.setAutoCommit(false);
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
    return new Target(connection, fetchSize);
  }

  /**
   * An in-memory DuckDB with schema {@code tpch} holding one view per table over the server's own
   * Parquet files, so the same query text runs on both sides and reads the same bytes.
   */
  static Target duckdbDirect(Path dataDir, int threads, String memoryLimit) throws SQLException {
    Path tables = dataDir.toAbsolutePath().normalize().resolve("warehouse").resolve("tpch");
    Connection connection = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement statement = connection.createStatement()) {
      statement.execute("SET threads = " + threads);
      statement.execute("SET memory_limit = " + literal(memoryLimit));
      statement.execute("CREATE SCHEMA tpch");
      for (String table : TABLES) {
        statement.execute(view(tables, table));
      }
    } catch (SQLException | RuntimeException e) {
      connection.close();
      throw e;
    }
    return new Target(connection);
  }

  /**
   * The orders table is partitioned by year into {@code key=value} folders: hive partitioning is
   * off so DuckDB does not add the folder's key as a column the table does not have.
   */
  private static String view(Path tables, String table) {
    Path data = tables.resolve(table).resolve("data");
    if (!Files.isDirectory(data)) {
      throw new IllegalArgumentException("no TPC-H table data at " + data);
    }
    return "CREATE VIEW tpch.%s AS SELECT * FROM read_parquet(%s, hive_partitioning = false)"
        .formatted(table, literal(data + "/**/*.parquet"));
  }

  private static String literal(String text) {
    return "'" + text.replace("'", "''") + "'";
  }

  /** Prepares, executes and fetches every row, reading every column value. */
  Run run(String sql) throws SQLException {
    long start = System.nanoTime();
    long rows = 0;
    long checksum = 0;
    try (PreparedStatement statement = prepare(sql);
        ResultSet result = statement.executeQuery()) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        rows++;
        for (int column = 1; column <= columns; column++) {
          checksum = 31 * checksum + Objects.hashCode(result.getObject(column));
        }
      }
    }
    return new Run(rows, System.nanoTime() - start, checksum);
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    PreparedStatement statement = connection.prepareStatement(sql);
    if (fetchSize > 0) {
      statement.setFetchSize(fetchSize);
    }
    return statement;
  }

  /** A setting's value as the engine reports it, or a reason why it cannot be read. */
  String setting(String name) {
    try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
      statement.setString(1, name);
      try (ResultSet result = statement.executeQuery()) {
        return result.next() ? result.getString(1) : "?";
      }
    } catch (SQLException e) {
      return "unknown (" + firstLine(e.getMessage()) + ")";
    }
  }

  static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  @Override
  public void close() throws SQLException {
    connection.close();
  }
}
