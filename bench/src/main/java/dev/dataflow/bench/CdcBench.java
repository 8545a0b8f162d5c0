package dev.dataflow.bench;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.vector.BigIntVector;

/**
 * Change data capture benchmark (bench/cdc): a continuous cdc pipeline follows a PostgreSQL 17
 * table while a writer commits transactions of {@code --per-transaction} changes (half updates of
 * random rows, 40% inserts, 10% deletes) at rising rates. Every change sets the row's {@code seq}
 * to its transaction's number, and transactions reach the lake in order, so when the lake's {@code
 * max(seq)} (polled through the SQL layer every {@code --poll-ms}) passes a transaction, that
 * transaction has become queryable: its latency is that moment minus its source commit. Per rate:
 * the changes/s the writer achieved, the changes/s the lake took, and latency percentiles.
 */
public final class CdcBench {
  private CdcBench() {}

  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // Debezium's own statistics overflow under load and say so per event: not ours to report
    System.setProperty(
        "org.slf4j.simpleLogger.log.io.debezium.metrics.stats.MeasurementCollector", "error");
    Path work = Path.of("bench/target/cdc").toAbsolutePath();
    int seconds = 20;
    int perTransaction = 50;
    int pollMillis = 50;
    String rateList = "1000,2500,5000,7500,10000";
    int rows = 100_000;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--work" -> work = Path.of(args[++i]).toAbsolutePath();
        case "--seconds" -> seconds = Integer.parseInt(args[++i]);
        case "--per-transaction" -> perTransaction = Integer.parseInt(args[++i]);
        case "--poll-ms" -> pollMillis = Integer.parseInt(args[++i]);
        case "--rates" -> rateList = args[++i];
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: CdcBench [--work DIR] [--rates 1000,2500,5000] [--seconds 20]"
                  + " [--per-transaction 50] [--poll-ms 50] [--rows 100000]");
          System.exit(2);
        }
      }
    }
    int[] rates = Arrays.stream(rateList.split(",")).mapToInt(Integer::parseInt).toArray();
    Files.createDirectories(work);
    Path data = Files.createTempDirectory(work, "lake");
    try (EmbeddedPostgres postgres =
            EmbeddedPostgres.builder()
                .setServerConfig("listen_addresses", "127.0.0.1")
                .setServerConfig("wal_level", "logical")
                .start();
        Lake lake = Lake.open(LakeConfig.embedded(data));
        SqlService sql = new SqlService(lake, EngineConfig.defaults(data));
        Pipelines pipelines = new Pipelines(sql)) {
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            "CREATE TABLE events (id bigint PRIMARY KEY, seq bigint, v int, note text);"
                + " INSERT INTO events SELECT i, 0, i % 1000, 'initial ' || i"
                + " FROM generate_series(1, "
                + rows
                + ") i");
      }
      pipelines.apply(
          """
          name: events
          origin: {type: cdc, url: "%s", user: postgres, table: public.events}
          destination: {table: bench.events, mode: merge, key: [id]}
          mode: continuous
          commit: {max_rows: 50000, max_interval: 1s}
          """
              .formatted(postgres.getJdbcUrl("postgres", "postgres")),
          work.resolve("events.yaml"));
      pipelines.start("events");
      awaitSeq(sql, 0, 120_000);
      System.out.println(
          "rate (changes/s) | written/s | lake/s | p50 ms | p95 ms | p99 ms | max ms | transactions");
      Writer writer = new Writer(postgres, perTransaction, rows);
      for (int rate : rates) {
        System.out.println(writer.run(sql, rate, seconds, pollMillis));
      }
    }
  }

  /** Waits until the lake shows transaction {@code seq}; returns when it did, or -1 on timeout. */
  static long awaitSeq(SqlService sql, long seq, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      if (maxSeq(sql) >= seq) {
        return System.currentTimeMillis();
      }
      Thread.sleep(50);
    }
    return -1;
  }

  static long maxSeq(SqlService sql) {
    try (Execution execution = sql.execute("bench", "SELECT max(seq) FROM bench.events")) {
      return execution.next() ? ((BigIntVector) execution.batch().getVector(0)).get(0) : -1;
    } catch (RuntimeException e) {
      return -1; // the first commit creates the table
    }
  }

  /** Commits transactions of random changes at a given rate, numbering them. */
  private static final class Writer {
    private final EmbeddedPostgres postgres;
    private final int perTransaction;
    private final Random random = new Random(1);
    private final ConcurrentHashMap<Long, Long> committedAt = new ConcurrentHashMap<>();
    private long seq;
    private long nextId;

    Writer(EmbeddedPostgres postgres, int perTransaction, int rows) {
      this.postgres = postgres;
      this.perTransaction = perTransaction;
      this.nextId = rows + 1L;
    }

    String run(SqlService sql, int rate, int seconds, int pollMillis) throws Exception {
      long first = seq + 1;
      AtomicBoolean writing = new AtomicBoolean(true);
      AtomicLong written = new AtomicLong();
      List<Long> latencies = new ArrayList<>();
      Thread thread =
          new Thread(
              () -> {
                try {
                  write(rate, seconds, written);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                } finally {
                  writing.set(false);
                }
              });
      long started = System.currentTimeMillis();
      thread.start();
      long seen = first - 1;
      long deadline = started + seconds * 1000L + 60_000;
      while ((writing.get() || seen < seq) && System.currentTimeMillis() < deadline) {
        long lake = maxSeq(sql);
        long now = System.currentTimeMillis();
        for (long s = seen + 1; s <= lake; s++) {
          Long at = committedAt.remove(s);
          if (at != null) {
            latencies.add(now - at);
          }
        }
        seen = Math.max(seen, lake);
        Thread.sleep(pollMillis);
      }
      thread.join();
      double elapsed = (System.currentTimeMillis() - started) / 1000.0;
      long transactions = seq - first + 1;
      return format(rate, written.get() / (double) seconds, latencies, elapsed, transactions);
    }

    private String format(
        int rate,
        double writtenPerSecond,
        List<Long> latencies,
        double elapsed,
        long transactions) {
      long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
      double lakePerSecond = (double) sorted.length * perTransaction / elapsed;
      return String.format(
          Locale.ROOT,
          "%16d | %9.0f | %6.0f | %6d | %6d | %6d | %6d | %d of %d seen",
          rate,
          writtenPerSecond,
          lakePerSecond,
          percentile(sorted, 0.5),
          percentile(sorted, 0.95),
          percentile(sorted, 0.99),
          sorted.length == 0 ? -1 : sorted[sorted.length - 1],
          sorted.length,
          transactions);
    }

    /** -1 when nothing was seen, as the table prints it. */
    private static long percentile(long[] sorted, double p) {
      return sorted.length == 0 ? -1 : (long) BenchSupport.percentile(sorted, p);
    }

    /** Paces transactions so that {@code rate} changes/s are committed for {@code seconds}. */
    private void write(int rate, int seconds, AtomicLong written) throws Exception {
      long transactions = (long) rate * seconds / perTransaction;
      double intervalNanos = 1e9 * perTransaction / rate;
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          PreparedStatement update =
              connection.prepareStatement("UPDATE events SET seq = ?, v = v + 1 WHERE id = ?");
          PreparedStatement insert =
              connection.prepareStatement("INSERT INTO events VALUES (?, ?, 0, 'new')");
          PreparedStatement delete =
              connection.prepareStatement("DELETE FROM events WHERE id = ?")) {
        connection.setAutoCommit(false);
        long start = System.nanoTime();
        for (long t = 0; t < transactions; t++) {
          long due = start + (long) (t * intervalNanos);
          long wait = due - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
          }
          long number = seq + 1;
          for (int c = 0; c < perTransaction; c++) {
            int kind = random.nextInt(10);
            long id = 1 + (long) random.nextInt((int) nextId - 1);
            if (kind < 4) {
              insert.setLong(1, nextId++);
              insert.setLong(2, number);
              insert.addBatch();
            } else if (kind < 9) {
              update.setLong(1, number);
              update.setLong(2, id);
              update.addBatch();
            } else {
              delete.setLong(1, id);
              delete.addBatch();
            }
          }
          // the last change of a transaction always carries its number, so max(seq) reaches it
          insert.setLong(1, nextId++);
          insert.setLong(2, number);
          insert.addBatch();
          update.executeBatch();
          delete.executeBatch();
          insert.executeBatch();
          connection.commit();
          seq = number;
          committedAt.put(number, System.currentTimeMillis());
          written.addAndGet(perTransaction + 1);
        }
      }
    }
  }
}
