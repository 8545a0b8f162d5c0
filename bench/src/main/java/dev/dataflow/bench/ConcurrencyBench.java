package dev.dataflow.bench;

import static dev.dataflow.bench.BenchSupport.percentile;

import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.Admission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A small query's latency on an idle server and beside {@code --heavy} heavy statements, in one
 * run, through the Flight SQL JDBC driver: with the server's default admission queue, and with
 * every statement let run at once (as before the queue) as the peer. The servers run in this JVM on
 * 127.0.0.1 with a demo lake at {@code --scale}; each heavy client sends its next heavy statement
 * as soon as its last one ended, while one client sends the small query in a closed loop for {@code
 * --seconds}.
 */
public final class ConcurrencyBench {
  static final String SMALL = "SELECT count(*) FROM tpch.nation";

  /** About a second of one core each: it makes its own rows, so the server deems it heavy. */
  static final String HEAVY = "SELECT sum(range % 7) FROM range(100000000)";

  private ConcurrencyBench() {}

  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    Map<String, String> options =
        BenchSupport.options(
            args,
            "ConcurrencyBench [--heavy 8] [--seconds 10] [--scale 0.01]",
            "--heavy",
            "--seconds",
            "--scale");
    int heavy = Integer.parseInt(options.getOrDefault("--heavy", "8"));
    int seconds = Integer.parseInt(options.getOrDefault("--seconds", "10"));
    double scale = Double.parseDouble(options.getOrDefault("--scale", "0.01"));
    Path dir = Files.createTempDirectory("concurrency-bench");
    ServerConfig queued = ServerConfig.embedded(dir).withPorts(0, 0).withDemo(true, scale);
    Admission.Settings defaults = queued.engine().admission();
    // the peer: every statement runs at once, as before statements queued
    ServerConfig unqueued =
        queued.withEngine(
            queued
                .engine()
                .withAdmission(
                    new Admission.Settings(
                        heavy + 1,
                        heavy + 1,
                        0,
                        defaults.shortScanBytes(),
                        defaults.maxQueued(),
                        defaults.queueTimeout())));
    System.out.printf(
        "small: %s; heavy: %s; TPC-H SF %s; the queue: %d slots, %d kept for short statements%n",
        SMALL, HEAVY, scale, defaults.maxRunning(), defaults.shortSlots());
    System.out.printf(
        "%-40s %10s %10s %8s %8s %8s%n",
        "small query", "p50 ms", "p99 ms", "queries", "heavy", "running");
    long[] idle = null;
    for (ServerConfig config : List.of(queued, unqueued)) {
      try (DataflowServer server = DataflowServer.start(config)) {
        String url =
            "jdbc:arrow-flight-sql://127.0.0.1:" + server.flightPort() + "/?useEncryption=false";
        if (idle == null) {
          idle = small(url, seconds);
          report("idle", idle, 0, 0);
        }
        Loaded loaded = underLoad(server, url, heavy, seconds);
        String name =
            "beside " + heavy + " heavy, " + (config == queued ? "queued" : "all running at once");
        report(name, loaded.latencies(), loaded.heavyDone(), loaded.maxRunning());
        System.out.printf(
            "  ratio to idle: p50 %.1f x, p99 %.1f x%n",
            percentile(loaded.latencies(), 0.50) / percentile(idle, 0.50),
            percentile(loaded.latencies(), 0.99) / percentile(idle, 0.99));
      }
    }
    System.out.println(
        "(heavy: heavy statements completed meanwhile; running: most statements running at once)");
  }

  record Loaded(long[] latencies, long heavyDone, long maxRunning) {}

  private static Loaded underLoad(DataflowServer server, String url, int heavy, int seconds)
      throws Exception {
    ExecutorService clients = Executors.newFixedThreadPool(heavy);
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong done = new AtomicLong();
    List<Future<?>> running = new ArrayList<>();
    for (int i = 0; i < heavy; i++) {
      running.add(
          clients.submit(
              () -> {
                try (Connection connection = DriverManager.getConnection(url);
                    Statement statement = connection.createStatement()) {
                  while (!stop.get()) {
                    try (ResultSet rows = statement.executeQuery(HEAVY)) {
                      rows.next();
                    }
                    done.incrementAndGet();
                  }
                }
                return null;
              }));
    }
    Admission queue = server.sql().admission();
    AtomicLong maxRunning = new AtomicLong();
    Thread sampler =
        new Thread(
            () -> {
              while (!stop.get()) {
                maxRunning.accumulateAndGet(queue.running(), Math::max);
                try {
                  Thread.sleep(10);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.start();
    // let every heavy client reach the server before measuring
    Thread.sleep(2_000);
    long[] latencies = small(url, seconds);
    stop.set(true);
    for (Future<?> client : running) {
      client.get();
    }
    clients.shutdown();
    sampler.join();
    return new Loaded(latencies, done.get(), maxRunning.get());
  }

  /** Latencies of the small query in a closed loop for {@code seconds}, after a short warm-up. */
  private static long[] small(String url, int seconds) throws SQLException {
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement()) {
      for (int i = 0; i < 20; i++) {
        run(statement);
      }
      long[] latencies = new long[1 << 20];
      int count = 0;
      long end = System.nanoTime() + seconds * 1_000_000_000L;
      while (System.nanoTime() < end && count < latencies.length) {
        long start = System.nanoTime();
        run(statement);
        latencies[count++] = System.nanoTime() - start;
      }
      long[] measured = Arrays.copyOf(latencies, count);
      Arrays.sort(measured);
      return measured;
    }
  }

  private static void run(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery(SMALL)) {
      rows.next();
    }
  }

  private static void report(String name, long[] sorted, long heavy, long running) {
    System.out.printf(
        "%-40s %10.2f %10.2f %8d %8d %8d%n",
        name,
        percentile(sorted, 0.50) / 1e6,
        percentile(sorted, 0.99) / 1e6,
        sorted.length,
        heavy,
        running);
  }
}
