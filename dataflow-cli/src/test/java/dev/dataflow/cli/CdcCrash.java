package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A cdc pipeline is streaming a source table {@code orders} (its initial snapshot of {@link
 * #INITIAL_ROWS} rows committed) under a steady random workload when the server is killed with
 * SIGKILL; the workload goes on, a restarted server resumes the pipeline from the offsets committed
 * in the lake, and the lake table ends equal to the source, row for row (an md5 over every row).
 * The pipeline compacts its table every second, so the kill may also land in a compaction. The
 * source database is the caller's: PostgreSQL, MariaDB.
 */
final class CdcCrash {
  static final int INITIAL_ROWS = 5_000;
  private static final String ROW =
      "CAST(id AS VARCHAR) || '|' || coalesce(name, 'null') || '|' || "
          + "coalesce(CAST(amount AS VARCHAR), 'null') || '|' || coalesce(CAST(qty AS VARCHAR), 'null')";

  /**
   * The md5 of every row as {@code id|name|amount|qty} (null as {@code null}), joined by commas in
   * id order, in PostgreSQL's and DuckDB's SQL; {@code table} is the source's or the lake's.
   */
  static String digest(String table) {
    return "SELECT md5(string_agg(" + ROW + ", ',' ORDER BY id)) FROM " + table;
  }

  /** How to open a connection to the source database. */
  interface Connector {
    Connection connect() throws SQLException;
  }

  /**
   * The database the pipeline captures; its table {@code orders} holds the initial rows.
   *
   * @param origin the origin's {@code url}, {@code user} and {@code table} as YAML flow entries
   * @param digestQuery a query of the same text as {@link #digest} over the source table
   */
  record Source(String origin, Connector connector, String digestQuery) {}

  private CdcCrash() {}

  /** Runs the scenario against {@code source}, with the server's data under {@code dir}. */
  static void killMidStreamAndConverge(Path dir, Source source) throws Exception {
    String yaml =
        """
        name: orders
        origin: {type: cdc, %s}
        destination: {table: crash.orders, mode: merge, key: [id]}
        mode: continuous
        commit: {max_rows: 2000, max_interval: 1s, compact_interval: 1s, compact_min_files: 2}
        """
            .formatted(source.origin());
    Path data = dir.resolve("data");
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread workload = new Thread(() -> writeChanges(source, writing));
    ServerProcess first = ServerProcess.start(data, "--no-demo");
    RestClient client = new RestClient(first.url, "admin", null);
    client.put(
        "/api/v1/pipelines/orders?base=" + RestClient.encode(dir.toString()),
        yaml,
        "application/yaml");
    client.post("/api/v1/pipelines/orders/start");
    // the kill is mid-stream: after the initial snapshot (an interrupted snapshot is started
    // over, see docs/pipelines.md)
    awaitRows(client, INITIAL_ROWS);
    workload.start();
    Thread.sleep(3_000);
    first.kill();
    Thread.sleep(2_000);
    writing.set(false);
    workload.join();

    try (ServerProcess second = ServerProcess.start(data, "--no-demo")) {
      RestClient again = new RestClient(second.url, "admin", null);
      String expected = text(source, source.digestQuery());
      long deadline = System.currentTimeMillis() + 90_000;
      String actual = null;
      while (System.currentTimeMillis() < deadline && !expected.equals(actual)) {
        Thread.sleep(500);
        actual = CrashRecoveryIT.firstRow(again, digest("crash.orders")).get(0).asText();
      }
      assertThat(actual).as(second.output()).isEqualTo(expected);
      assertThat(CrashRecoveryIT.longs(again, "SELECT count(*) FROM crash.orders").get(0))
          .isEqualTo(Long.parseLong(text(source, "SELECT count(*) FROM orders")));
    }
  }

  /** Waits until the lake table holds {@code rows} rows (the whole snapshot). */
  private static void awaitRows(RestClient client, long rows) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (CrashRecoveryIT.longs(client, "SELECT count(*) FROM crash.orders").get(0) >= rows) {
          return;
        }
      } catch (RestClient.ServerError e) {
        // the first commit creates the table
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the snapshot was not committed within a minute");
  }

  /** Small transactions of random inserts, updates and deletes until told to stop. */
  private static void writeChanges(Source source, AtomicBoolean writing) {
    Random random = new Random(7);
    long next = INITIAL_ROWS + 1;
    try (Connection connection = source.connector().connect();
        PreparedStatement insert =
            connection.prepareStatement("INSERT INTO orders VALUES (?, ?, ?, ?)");
        PreparedStatement update =
            connection.prepareStatement("UPDATE orders SET name = ?, qty = qty + 1 WHERE id = ?");
        PreparedStatement delete = connection.prepareStatement("DELETE FROM orders WHERE id = ?")) {
      while (writing.get()) {
        for (int i = 0; i < 50; i++) {
          long id = 1 + random.nextInt((int) next);
          switch (random.nextInt(3)) {
            case 0 -> {
              insert.setLong(1, next++);
              insert.setString(2, "new " + next);
              insert.setBigDecimal(3, BigDecimal.valueOf(random.nextInt(100_000), 2));
              insert.setInt(4, random.nextInt(100));
              insert.executeUpdate();
            }
            case 1 -> {
              update.setString(1, "upd " + random.nextInt());
              update.setLong(2, id);
              update.executeUpdate();
            }
            default -> {
              delete.setLong(1, id);
              delete.executeUpdate();
            }
          }
        }
        Thread.sleep(10);
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** The first value of a query's first row at the source, as text. */
  private static String text(Source source, String query) throws SQLException {
    try (Connection connection = source.connector().connect();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getString(1);
    }
  }
}
