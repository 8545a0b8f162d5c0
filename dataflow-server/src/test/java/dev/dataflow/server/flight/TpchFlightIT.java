package dev.dataflow.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.tpch.TpchData;
import dev.dataflow.sql.tpch.TpchQueries;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.SoftAssertions;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The 22 TPC-H queries at SF 0.01 through the JDBC driver, each answer compared value by value with
 * the same query in a plain in-memory DuckDB over the same generated data.
 */
class TpchFlightIT {
  private static final double SCALE = 0.01;
  private static final List<String> TABLES =
      List.of("region", "nation", "supplier", "customer", "part", "partsupp", "orders", "lineitem");

  @TempDir static Path dataDir;

  static FlightTestServer server;
  static Connection flight;
  static Connection reference;

  @BeforeAll
  static void load() throws SQLException {
    server = new FlightTestServer(dataDir, Authenticator.open());
    try (DuckDBConnection generated = server.sql.engine().connect();
        java.sql.Statement statement = generated.createStatement()) {
      TpchData.createTables(generated, "gen", SCALE);
      for (String table : TABLES) {
        server
            .sql
            .writer()
            .createTableAs(
                statement, DatasetPath.of("tpch", table), List.of(), "SELECT * FROM gen." + table);
      }
    }
    flight = server.connect();
    reference = DriverManager.getConnection("jdbc:duckdb:");
    TpchData.createTables(reference, "tpch", SCALE);
  }

  @AfterAll
  static void stop() throws SQLException {
    try {
      reference.close();
      flight.close();
    } finally {
      server.close();
    }
  }

  @Test
  void everyQueryMatchesDuckDb() throws SQLException {
    SoftAssertions softly = new SoftAssertions();
    for (int n = 1; n <= TpchQueries.COUNT; n++) {
      String sql = TpchQueries.query(n, "tpch");
      List<List<Object>> expected = referenceRows(sql);
      List<List<Object>> actual = flightRows(sql);
      softly.assertThat(actual).as("Q%d rows", n).hasSameSizeAs(expected);
      for (int row = 0; row < Math.min(actual.size(), expected.size()); row++) {
        softly
            .assertThat(matches(actual.get(row), expected.get(row)))
            .as("Q%d row %d: %s vs DuckDB %s", n, row, actual.get(row), expected.get(row))
            .isTrue();
      }
    }
    softly.assertAll();
  }

  @Test
  void answersAreNotEmpty() throws SQLException {
    // Q1 over SF 0.01 groups lineitem into its four return flag and status pairs
    assertThat(flightRows(TpchQueries.query(1, "tpch"))).hasSize(4);
  }

  private static List<List<Object>> flightRows(String sql) throws SQLException {
    try (PreparedStatement statement = flight.prepareStatement(sql);
        ResultSet rows = statement.executeQuery()) {
      return rows(rows);
    }
  }

  private static List<List<Object>> referenceRows(String sql) throws SQLException {
    try (Statement statement = reference.createStatement();
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
        row.add(normalize(rows.getObject(i)));
      }
      out.add(row);
    }
    return out;
  }

  /** Numbers as BigDecimal, dates as LocalDate, so two drivers' objects compare. */
  private static Object normalize(Object value) {
    if (value instanceof Number number) {
      return value instanceof BigDecimal decimal ? decimal : new BigDecimal(number.toString());
    }
    if (value instanceof java.sql.Date date) {
      return date.toLocalDate();
    }
    return value instanceof LocalDate || value == null ? value : value.toString();
  }

  private static boolean matches(List<Object> actual, List<Object> expected) {
    if (actual.size() != expected.size()) {
      return false;
    }
    for (int i = 0; i < actual.size(); i++) {
      if (!matches(actual.get(i), expected.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Object actual, Object expected) {
    if (actual instanceof BigDecimal a && expected instanceof BigDecimal b) {
      double x = a.doubleValue();
      double y = b.doubleValue();
      return x == y || Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
    }
    return actual == null ? expected == null : actual.equals(expected);
  }
}
