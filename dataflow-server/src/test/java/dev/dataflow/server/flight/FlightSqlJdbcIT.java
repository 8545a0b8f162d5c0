package dev.dataflow.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.server.auth.Authenticator;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The official Flight SQL JDBC driver against Dataflow: statements, parameters, metadata, errors.
 */
class FlightSqlJdbcIT {
  @TempDir static Path dataDir;

  static FlightTestServer server;
  static Connection connection;

  @BeforeAll
  static void start() throws SQLException {
    server = new FlightTestServer(dataDir, Authenticator.open());
    connection = server.connect();
    update(
        "CREATE TABLE s.t AS SELECT * FROM (VALUES"
            + " (1, 10000000000::BIGINT, 12.34::DECIMAL(15,2), 'one', DATE '2024-01-31',"
            + "  TIMESTAMP '2024-01-31 12:34:56.789', true, 1.5::DOUBLE),"
            + " (2, -3::BIGINT, -0.50::DECIMAL(15,2), 'two', DATE '1969-12-31',"
            + "  TIMESTAMP '1999-12-31 23:59:59', false, -2.25::DOUBLE))"
            + " v(i, b, d, s, dt, ts, bo, db)");
  }

  @AfterAll
  static void stop() throws SQLException {
    try {
      connection.close();
    } finally {
      server.close();
    }
  }

  private static long update(String sql) throws SQLException {
    try (Statement statement = connection.createStatement()) {
      return statement.executeUpdate(sql);
    }
  }

  private static List<List<Object>> query(String sql) throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(sql)) {
      return rows(rows);
    }
  }

  private static List<List<Object>> rows(ResultSet rows) throws SQLException {
    List<List<Object>> out = new ArrayList<>();
    int columns = rows.getMetaData().getColumnCount();
    while (rows.next()) {
      List<Object> row = new ArrayList<>();
      for (int i = 1; i <= columns; i++) {
        row.add(rows.getObject(i));
      }
      out.add(row);
    }
    return out;
  }

  @Test
  void queryReturnsEveryTypeWithItsJdbcType() throws SQLException {
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT * FROM s.t ORDER BY i")) {
      ResultSetMetaData metadata = rows.getMetaData();
      List<Integer> types = new ArrayList<>();
      for (int i = 1; i <= metadata.getColumnCount(); i++) {
        types.add(metadata.getColumnType(i));
      }
      assertThat(types)
          .containsExactly(
              Types.INTEGER,
              Types.BIGINT,
              Types.DECIMAL,
              Types.VARCHAR,
              Types.DATE,
              Types.TIMESTAMP,
              Types.BOOLEAN,
              Types.DOUBLE);
      assertThat(rows.next()).isTrue();
      assertThat(rows.getInt("i")).isEqualTo(1);
      assertThat(rows.getLong("b")).isEqualTo(10_000_000_000L);
      assertThat(rows.getBigDecimal("d")).isEqualByComparingTo("12.34");
      assertThat(rows.getString("s")).isEqualTo("one");
      assertThat(rows.getDate("dt").toLocalDate()).isEqualTo(LocalDate.of(2024, 1, 31));
      assertThat(rows.getTimestamp("ts").toLocalDateTime())
          .isEqualTo(LocalDateTime.of(2024, 1, 31, 12, 34, 56, 789_000_000));
      assertThat(rows.getBoolean("bo")).isTrue();
      assertThat(rows.getDouble("db")).isEqualTo(1.5);
      assertThat(rows.next()).isTrue();
      assertThat(rows.getBigDecimal("d")).isEqualByComparingTo("-0.50");
      assertThat(rows.getDate("dt").toLocalDate()).isEqualTo(LocalDate.of(1969, 12, 31));
      assertThat(rows.getBoolean("bo")).isFalse();
      assertThat(rows.next()).isFalse();
    }
  }

  @Test
  void ddlAndDmlRunOnceAndReportCounts() throws SQLException {
    assertThat(update("CREATE TABLE s.copy AS SELECT i, s FROM s.t")).isEqualTo(2);
    assertThat(update("INSERT INTO s.copy SELECT i + 10, s FROM s.t")).isEqualTo(2);
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO s.copy VALUES (100, 'prepared')")) {
      // preparing must not run it: only the execution inserts
      assertThat(query("SELECT count(*) FROM s.copy")).containsExactly(List.of(4L));
      assertThat(insert.executeUpdate()).isEqualTo(1);
    }
    assertThat(query("SELECT count(*) FROM s.copy")).containsExactly(List.of(5L));
    assertThat(update("CREATE VIEW s.copy_view AS SELECT s FROM s.copy WHERE i >= 100"))
        .isEqualTo(0);
    assertThat(query("SELECT * FROM s.copy_view")).containsExactly(List.of("prepared"));
    update("DROP VIEW s.copy_view");
    assertThat(update("DROP TABLE s.copy")).isEqualTo(0);
    assertThatThrownBy(() -> query("SELECT * FROM s.copy"))
        .hasMessageContaining("s.copy does not exist");
  }

  @Test
  void preparedStatementBindsParameters() throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement("SELECT i, s FROM s.t WHERE i >= ? AND s <> ? ORDER BY i")) {
      assertThat(statement.getParameterMetaData().getParameterCount()).isEqualTo(2);
      statement.setInt(1, 1);
      statement.setString(2, "two");
      try (ResultSet rows = statement.executeQuery()) {
        assertThat(rows(rows)).containsExactly(List.of(1, "one"));
      }
      statement.setLong(1, 2);
      statement.setString(2, "one");
      try (ResultSet rows = statement.executeQuery()) {
        assertThat(rows(rows)).containsExactly(List.of(2, "two"));
      }
    }
  }

  @Test
  void parametersOfEveryTypeCompareWithColumns() throws SQLException {
    String sql =
        "SELECT i FROM s.t WHERE d > ? AND dt = ? AND ts < ? AND bo = ? AND db < ? AND b = ?";
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setBigDecimal(1, new BigDecimal("0.5"));
      statement.setDate(2, Date.valueOf(LocalDate.of(2024, 1, 31)));
      statement.setTimestamp(3, Timestamp.valueOf(LocalDateTime.of(2024, 1, 31, 12, 34, 57)));
      statement.setBoolean(4, true);
      statement.setDouble(5, 2.0);
      statement.setLong(6, 10_000_000_000L);
      try (ResultSet rows = statement.executeQuery()) {
        assertThat(rows(rows)).containsExactly(List.of(1));
      }
      statement.setDouble(1, -1);
      statement.setDate(2, Date.valueOf(LocalDate.of(1969, 12, 31)));
      statement.setTimestamp(3, Timestamp.valueOf(LocalDateTime.of(2000, 1, 1, 0, 0)));
      statement.setBoolean(4, false);
      statement.setDouble(5, 0);
      statement.setInt(6, -3);
      try (ResultSet rows = statement.executeQuery()) {
        assertThat(rows(rows)).containsExactly(List.of(2));
      }
    }
  }

  @Test
  void metadataListsSchemasTablesViewsAndColumns() throws SQLException {
    update("CREATE TABLE demo.orders.items AS SELECT 1 AS id");
    update("CREATE OR REPLACE VIEW s.ones AS SELECT i, s FROM s.t WHERE i = 1");
    DatabaseMetaData metadata = connection.getMetaData();
    assertThat(metadata.getDatabaseProductName()).isEqualTo("Dataflow");
    assertThat(metadata.getIdentifierQuoteString()).isEqualTo("\"");
    assertThat(rows(metadata.getCatalogs())).isEmpty();
    assertThat(column(metadata.getSchemas(), "TABLE_SCHEM")).contains("s", "demo", "demo.orders");
    assertThat(column(metadata.getTableTypes(), "TABLE_TYPE")).containsExactly("TABLE", "VIEW");

    List<String> tables = new ArrayList<>();
    try (ResultSet rows = metadata.getTables(null, null, "%", null)) {
      while (rows.next()) {
        tables.add(
            rows.getString("TABLE_SCHEM")
                + "."
                + rows.getString("TABLE_NAME")
                + ":"
                + rows.getString("TABLE_TYPE"));
      }
    }
    assertThat(tables).contains("s.t:TABLE", "s.ones:VIEW", "demo.orders.items:TABLE");
    assertThat(column(metadata.getTables(null, "s", "%", new String[] {"VIEW"}), "TABLE_NAME"))
        .containsExactly("ones");

    List<String> columns = new ArrayList<>();
    try (ResultSet rows = metadata.getColumns(null, "s", "t", null)) {
      while (rows.next()) {
        columns.add(
            rows.getString("COLUMN_NAME")
                + ":"
                + rows.getInt("DATA_TYPE")
                + ":"
                + rows.getString("TYPE_NAME"));
        if (rows.getString("COLUMN_NAME").equals("d")) {
          assertThat(rows.getInt("COLUMN_SIZE")).isEqualTo(15);
          assertThat(rows.getInt("DECIMAL_DIGITS")).isEqualTo(2);
        }
      }
    }
    assertThat(columns)
        .containsExactly(
            "i:" + Types.INTEGER + ":INTEGER",
            "b:" + Types.BIGINT + ":BIGINT",
            "d:" + Types.DECIMAL + ":DECIMAL",
            "s:" + Types.VARCHAR + ":VARCHAR",
            "dt:" + Types.DATE + ":DATE",
            "ts:" + Types.TIMESTAMP + ":TIMESTAMP",
            "bo:" + Types.BOOLEAN + ":BOOLEAN",
            "db:" + Types.DOUBLE + ":DOUBLE");
    assertThat(column(metadata.getColumns(null, "s", "ones", "%"), "COLUMN_NAME"))
        .containsExactly("i", "s");
    assertThat(rows(metadata.getPrimaryKeys(null, "s", "t"))).isEmpty();
    assertThat(rows(metadata.getImportedKeys(null, "s", "t"))).isEmpty();
    assertThat(rows(metadata.getExportedKeys(null, "s", "t"))).isEmpty();
  }

  private static List<String> column(ResultSet rows, String name) throws SQLException {
    try (rows) {
      List<String> values = new ArrayList<>();
      while (rows.next()) {
        values.add(rows.getString(name));
      }
      return values;
    }
  }

  @Test
  void errorsNameWhatWentWrongAndTheConnectionGoesOn() throws SQLException {
    assertThatThrownBy(() -> query("SELECT i,\n  FROM s.t WHERE"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("Syntax error")
        .hasMessageContaining("line 2, column");
    assertThat(query("SELECT 42")).containsExactly(List.of(42));

    assertThatThrownBy(() -> query("SELECT * FROM s.missing"))
        .hasMessageContaining("s.missing does not exist");
    assertThat(query("SELECT 42")).containsExactly(List.of(42));

    assertThatThrownBy(() -> query("SELECT * FROM read_csv('/etc/passwd')"))
        .hasMessageContaining("read_csv")
        .hasMessageContaining("not allowed");
    assertThat(query("SELECT 42")).containsExactly(List.of(42));

    assertThatThrownBy(() -> update("INSERT INTO s.missing SELECT 1"))
        .hasMessageContaining("does not exist");
    assertThatThrownBy(() -> update("ATTACH 'x.db'")).hasMessageContaining("not allowed");
    assertThat(query("SELECT 42;")).containsExactly(List.of(42));
  }
}
