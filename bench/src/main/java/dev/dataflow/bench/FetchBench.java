package dev.dataflow.bench;

import static dev.dataflow.bench.BenchSupport.deleteTree;
import static dev.dataflow.bench.BenchSupport.loadAverage;
import static dev.dataflow.bench.BenchSupport.seconds;

import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

/**
 * Fetch benchmark (bench/fetch): all of TPC-H {@code lineitem} read by a client, three ways, in one
 * run.
 *
 * <ol>
 *   <li><b>Flight SQL JDBC driver</b> against a Dataflow server in this JVM (127.0.0.1, free ports)
 *       holding the demo lake at {@code --scale}: prepare, execute, every row, every column value
 *       read ({@code getObject}), as a JDBC client does;
 *   <li><b>Arrow Flight SQL's Java client</b> ({@link FlightSqlClient}) against the same server:
 *       execute, then each endpoint's stream, counting the rows of each Arrow batch, as ADBC and
 *       pyarrow read (the values stay columnar, nothing is turned into Java objects);
 *   <li><b>PostgreSQL JDBC driver</b> against an embedded PostgreSQL 17 holding the same rows (same
 *       generator), through a cursor of {@code --fetch-size} rows, every column value read, the
 *       same loop as the first path.
 * </ol>
 *
 * Each path runs {@code --passes} times, the order rotating between passes; the best pass counts.
 * Every pass must return every row of the table, or the run fails.
 */
public final class FetchBench {
  static final String QUERY_DATAFLOW = "SELECT * FROM tpch.lineitem";
  static final String QUERY_POSTGRES = "SELECT * FROM lineitem";

  /** The Flight SQL JDBC driver must read at least this multiple of PostgreSQL's rows/s. */
  static final double JDBC_TARGET = 2;

  /** Arrow Flight SQL's own client must read at least this multiple of PostgreSQL's rows/s. */
  static final double ARROW_TARGET = 10;

  /**
   * Held in a field: java.util.logging keeps loggers weakly, and a collected one forgets its level.
   */
  private static final Logger ARROW_LOG = Logger.getLogger("org.apache.arrow");

  private FetchBench() {}

  /** One way of reading the table; returns the rows it read. */
  @FunctionalInterface
  private interface Fetch {
    long fetch() throws Exception;
  }

  /** A path, its target (a multiple of the peer's rows/s; 0 for the peer) and its fetch. */
  private record FetchPath(String name, double target, Fetch body) {}

  /** A path's best pass. */
  private record Best(FetchPath path, double seconds) {}

  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    ARROW_LOG.setLevel(Level.WARNING);
    Map<String, String> options =
        BenchSupport.options(
            args,
            "FetchBench --work DIR [--scale 1] [--passes 2] [--fetch-size 10000]",
            "--work",
            "--scale",
            "--passes",
            "--fetch-size");
    double scale = Double.parseDouble(options.getOrDefault("--scale", "1"));
    int passes = Integer.parseInt(options.getOrDefault("--passes", "2"));
    int fetchSize = Integer.parseInt(options.getOrDefault("--fetch-size", "10000"));
    String work = options.get("--work");
    if (work == null || passes < 1 || fetchSize < 1) {
      System.err.println(
          "--work DIR is required (a scratch directory; its contents are replaced);"
              + " --passes and --fetch-size must be at least 1");
      System.exit(2);
    }
    run(scale, passes, fetchSize, Path.of(work).toAbsolutePath().normalize());
  }

  private static void run(double scale, int passes, int fetchSize, Path work) throws Exception {
    deleteTree(work);
    Files.createDirectories(work.resolve("csv"));
    System.out.printf(
        Locale.ROOT,
        "JVM max heap %d MiB, %d cores; TPC-H lineitem SF %s, %d passes; PostgreSQL fetch size %,d%n",
        Runtime.getRuntime().maxMemory() >> 20,
        Runtime.getRuntime().availableProcessors(),
        scale,
        passes,
        fetchSize);
    long start = System.nanoTime();
    ServerConfig config =
        ServerConfig.embedded(work.resolve("dataflow")).withPorts(0, 0).withDemo(true, scale);
    try (DataflowServer server = DataflowServer.start(config)) {
      System.out.printf(
          Locale.ROOT,
          "Dataflow up with the demo lake at SF %s in %.1f s (Flight SQL on 127.0.0.1:%d)%n",
          scale,
          seconds(start),
          server.flightPort());
      start = System.nanoTime();
      LineitemFiles lineitem = LineitemFiles.generate(scale, work.resolve("csv"), 4);
      try (EmbeddedPostgres postgres = LineitemFiles.startPostgres(work.resolve("pg"))) {
        String url = postgres.getJdbcUrl("postgres", "postgres");
        lineitem.loadPostgres(url);
        deleteTree(lineitem.directory());
        System.out.printf(
            Locale.ROOT,
            "PostgreSQL %s loaded with %,d rows in %.1f s%n",
            LineitemFiles.postgresVersion(url),
            lineitem.rows(),
            seconds(start));
        String flightUrl =
            "jdbc:arrow-flight-sql://127.0.0.1:" + server.flightPort() + "/?useEncryption=false";
        try (Target postgresJdbc = Target.postgres(url, fetchSize);
            Target flightJdbc = Target.dataflow(flightUrl);
            BufferAllocator allocator = new RootAllocator();
            FlightSqlClient arrow =
                new FlightSqlClient(
                    FlightClient.builder(
                            allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                        .build())) {
          List<FetchPath> paths =
              List.of(
                  new FetchPath(
                      "PostgreSQL JDBC driver", 0, () -> postgresJdbc.run(QUERY_POSTGRES).rows()),
                  new FetchPath(
                      "Flight SQL JDBC driver",
                      JDBC_TARGET,
                      () -> flightJdbc.run(QUERY_DATAFLOW).rows()),
                  new FetchPath(
                      "Flight SQL client (Arrow)", ARROW_TARGET, () -> arrowBatches(arrow)));
          report(measure(paths, passes, lineitem.rows()), lineitem.rows(), scale, passes);
        }
      }
    } finally {
      deleteTree(work);
    }
  }

  /** Every path once per pass, the first path of a pass rotating; the best pass of each. */
  private static List<Best> measure(List<FetchPath> paths, int passes, long rows) throws Exception {
    Map<String, Double> best = new HashMap<>();
    for (int pass = 0; pass < passes; pass++) {
      for (int i = 0; i < paths.size(); i++) {
        FetchPath path = paths.get((pass + i) % paths.size());
        long start = System.nanoTime();
        long read = path.body().fetch();
        double seconds = seconds(start);
        if (read != rows) {
          throw new IllegalStateException(path.name() + " read " + read + " rows, not " + rows);
        }
        System.out.printf(
            Locale.ROOT,
            "  pass %d  %-27s %7.2f s %,12.0f rows/s%n",
            pass + 1,
            path.name(),
            seconds,
            rows / seconds);
        best.merge(path.name(), seconds, Math::min);
      }
      System.out.printf("pass %d done (load average %s)%n", pass + 1, loadAverage());
    }
    return paths.stream().map(path -> new Best(path, best.get(path.name()))).toList();
  }

  /** What ADBC and pyarrow do: execute, then read each endpoint's Arrow batches. */
  private static long arrowBatches(FlightSqlClient client) throws Exception {
    FlightInfo info = client.execute(QUERY_DATAFLOW);
    long rows = 0;
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      try (FlightStream stream = client.getStream(endpoint.getTicket())) {
        while (stream.next()) {
          rows += stream.getRoot().getRowCount();
        }
      }
    }
    return rows;
  }

  /** The table; the first path is the peer the others are compared with. */
  private static void report(List<Best> best, long rows, double scale, int passes) {
    System.out.printf(
        Locale.ROOT, "%nlineitem SF %s, %,d rows; best of %d passes%n%n", scale, rows, passes);
    System.out.println("| Path | Best s | Rows/s | × PostgreSQL | Target |");
    System.out.println("|---|---:|---:|---:|---|");
    double peer = rows / best.get(0).seconds();
    for (Best path : best) {
      double rate = rows / path.seconds();
      double target = path.path().target();
      System.out.printf(
          Locale.ROOT,
          "| %s | %.2f | %,.0f | %.2f | %s |%n",
          path.path().name(),
          path.seconds(),
          rate,
          rate / peer,
          target == 0
              ? "(the peer)"
              : String.format(
                  Locale.ROOT, "≥ %.0f: %s", target, rate / peer >= target ? "met" : "**missed**"));
    }
    System.out.println("load average (1, 5, 15 min): " + loadAverage());
  }
}
