package dev.dataflow.sql.tpch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs the 22 queries at SF 0.01 against the answers that ship in the {@code io.trino.tpch} jar,
 * computed by Trino over the same generated data.
 */
class TpchQueriesTest {
  private static final String SPACE = "tpch";

  private static Connection duckdb;

  @BeforeAll
  static void load() throws SQLException {
    duckdb = DriverManager.getConnection("jdbc:duckdb:");
    TpchData.createTables(duckdb, SPACE, 0.01);
  }

  @AfterAll
  static void close() throws SQLException {
    duckdb.close();
  }

  static IntStream queryNumbers() {
    return IntStream.rangeClosed(1, TpchQueries.COUNT);
  }

  @ParameterizedTest(name = "q{0}")
  @MethodSource("queryNumbers")
  void answersMatchTheOracle(int number) throws Exception {
    Oracle oracle = Oracle.load(number);
    List<List<Object>> actual = run(TpchQueries.query(number, SPACE));
    assertThat(actual).as("q%d rows", number).hasSameSizeAs(oracle.rows());
    if (oracle.ordered()) {
      for (int row = 0; row < actual.size(); row++) {
        List<String> expected = oracle.rows().get(row);
        if (!matches(expected, actual.get(row))) {
          fail("q%d row %d: expected %s but was %s", number, row + 1, expected, actual.get(row));
        }
      }
    } else {
      assertSameRowsInAnyOrder(number, oracle.rows(), actual);
    }
  }

  @Test
  void rowCountsAreTheStandardOnes() throws SQLException {
    Map<String, Long> expected = new LinkedHashMap<>();
    expected.put("region", 5L);
    expected.put("nation", 25L);
    expected.put("supplier", 100L);
    expected.put("customer", 1_500L);
    expected.put("part", 2_000L);
    expected.put("partsupp", 8_000L);
    expected.put("orders", 15_000L);
    expected.put("lineitem", 60_175L);
    Map<String, Long> actual = new LinkedHashMap<>();
    for (String table : expected.keySet()) {
      actual.put(table, (Long) run("SELECT count(*) FROM " + SPACE + "." + table).get(0).get(0));
    }
    assertThat(actual).containsExactlyEntriesOf(expected);
  }

  @Test
  void queriesAreSingleStatementsOverTheSpace() {
    for (int number = 1; number <= TpchQueries.COUNT; number++) {
      String query = TpchQueries.query(number, "somewhere");
      assertThat(query).as("q%d", number).doesNotContain(";", "{space}").contains("somewhere.");
    }
  }

  private static List<List<Object>> run(String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (Statement statement = duckdb.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int columns = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<Object> row = new ArrayList<>(columns);
        for (int column = 1; column <= columns; column++) {
          row.add(result.getObject(column));
        }
        rows.add(row);
      }
    }
    return rows;
  }

  /** Each expected row must match a distinct actual row. */
  private static void assertSameRowsInAnyOrder(
      int number, List<List<String>> expected, List<List<Object>> actual) {
    List<List<Object>> unmatched = new ArrayList<>(actual);
    for (List<String> row : expected) {
      boolean found = unmatched.removeIf(candidate -> matches(row, candidate));
      if (!found) {
        fail("q%d: no row matches %s among %s", number, row, unmatched);
      }
    }
  }

  private static boolean matches(List<String> expected, List<Object> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int column = 0; column < expected.size(); column++) {
      if (!matches(expected.get(column), actual.get(column))) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(String expected, Object actual) {
    if (actual == null) {
      return expected.equals("null");
    }
    if (actual instanceof Number) {
      return matchesNumber(expected, new BigDecimal(actual.toString()));
    }
    return expected.trim().equals(actual.toString().trim());
  }

  /**
   * Within one unit of the last printed digit, and never finer than a cent: the oracle drops
   * trailing zeros (q7 prints 303862.298 for 303862.2980, q8 prints 0), and rounds averages to
   * cents where DuckDB returns a double (q1's avg_qty 25.58).
   */
  private static boolean matchesNumber(String expected, BigDecimal actual) {
    BigDecimal value;
    try {
      value = new BigDecimal(expected.trim());
    } catch (NumberFormatException e) {
      return false;
    }
    BigDecimal tolerance = BigDecimal.ONE.movePointLeft(Math.max(2, value.scale()));
    return value.subtract(actual).abs().compareTo(tolerance) <= 0;
  }

  /** A {@code qN.result} file: a header line, then one pipe-delimited line per row. */
  private record Oracle(boolean ordered, List<List<String>> rows) {
    static Oracle load(int number) throws IOException {
      String resource = "/io/trino/tpch/queries/q" + number + ".result";
      try (InputStream in = TpchQueriesTest.class.getResourceAsStream(resource)) {
        assertThat(in).as(resource).isNotNull();
        return parse(new String(in.readAllBytes(), UTF_8));
      }
    }

    static Oracle parse(String text) {
      List<String> lines = text.lines().toList();
      boolean ordered = !lines.get(0).contains("ignoreOrder: true");
      List<List<String>> rows =
          lines.stream()
              .skip(1)
              .filter(line -> !line.isBlank() && !line.startsWith("--"))
              .map(Oracle::fields)
              .toList();
      return new Oracle(ordered, rows);
    }

    /** Some rows end with the delimiter, some do not. */
    static List<String> fields(String line) {
      String trimmed = line.endsWith("|") ? line.substring(0, line.length() - 1) : line;
      return Arrays.asList(trimmed.split("\\|", -1));
    }
  }
}
