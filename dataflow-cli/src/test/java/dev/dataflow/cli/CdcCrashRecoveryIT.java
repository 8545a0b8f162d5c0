package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cdc pipeline is streaming a PostgreSQL table (its initial snapshot committed) under a steady
 * random workload when the server is killed with SIGKILL; the workload goes on, a restarted server
 * resumes the pipeline from the offsets committed in the lake, and the lake table ends equal to the
 * source, row for row.
 */
class CdcCrashRecoveryIT {
  private static final int INITIAL_ROWS = 5_000;
  private static final String ROW =
      "CAST(id AS VARCHAR) || '|' || coalesce(name, 'null') || '|' || "
          + "coalesce(CAST(amount AS VARCHAR), 'null') || '|' || coalesce(CAST(qty AS VARCHAR), 'null')";
  private static final String DIGEST = "SELECT md5(string_agg(" + ROW + ", ',' ORDER BY id)) FROM ";

  @TempDir Path dir;

  @Test
  void aKilledServerResumesTheStreamAndConverges() throws Exception {
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("wal_level", "logical")
            .start()) {
      execute(
          postgres,
          """
          CREATE TABLE orders (id bigint PRIMARY KEY, name text, amount numeric(12,2), qty int);
          INSERT INTO orders SELECT i, 'name ' || i, i * 1.25, i %% 100
            FROM generate_series(1, %d) i;
          """
              .formatted(INITIAL_ROWS));
      String yaml =
          """
          name: orders
          origin: {type: cdc, url: "%s", user: postgres, table: public.orders}
          destination: {table: crash.orders, mode: merge, key: [id]}
          mode: continuous
          commit: {max_rows: 2000, max_interval: 1s}
          """
              .formatted(postgres.getJdbcUrl("postgres", "postgres"));
      Path data = dir.resolve("data");
      AtomicBoolean writing = new AtomicBoolean(true);
      Thread workload = new Thread(() -> writeChanges(postgres, writing));
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
        String expected = query(postgres, DIGEST + "orders");
        long deadline = System.currentTimeMillis() + 90_000;
        String actual = null;
        while (System.currentTimeMillis() < deadline && !expected.equals(actual)) {
          Thread.sleep(500);
          actual = CrashRecoveryIT.firstRow(again, DIGEST + "crash.orders").get(0).asText();
        }
        assertThat(actual).as(second.output()).isEqualTo(expected);
        assertThat(CrashRecoveryIT.longs(again, "SELECT count(*) FROM crash.orders").get(0))
            .isEqualTo(Long.parseLong(query(postgres, "SELECT count(*) FROM orders")));
      }
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
  private static void writeChanges(EmbeddedPostgres postgres, AtomicBoolean writing) {
    Random random = new Random(7);
    long next = INITIAL_ROWS + 1;
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
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
              insert.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
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

  private static void execute(EmbeddedPostgres postgres, String sql) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    }
  }

  private static String query(EmbeddedPostgres postgres, String sql) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      result.next();
      return result.getString(1);
    }
  }
}
