package dev.dataflow.bench;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TPC-H through the Flight SQL JDBC driver on two servers holding the same lake: one on a local
 * warehouse, one on an S3 warehouse that reads through its data file cache. The S3 server must be
 * fresh, its cache empty: the first pass is its cold pass, and the local server's first pass runs
 * beside it; then the measured passes, on both servers, are the warm ones. The cache's hits, misses
 * and bytes fetched are read from the S3 server's {@code /metrics} before and after.
 *
 * <p>As in {@link TpchBench}, each query runs on both servers back to back and which goes first
 * alternates between passes. Exits 1 if a query failed or the servers disagree on a row count.
 */
public final class S3Bench {
  /** The S3 warehouse's warm total may be at most this multiple of the local warehouse's. */
  static final double TARGET = 1.10;

  private static final String USAGE =
      "S3Bench --local URL --s3 URL --s3-metrics URL [--passes 3] [--queries 1,6,13]";

  /** As in TpchBench: held, because java.util.logging keeps loggers only weakly. */
  private static final Logger ARROW_LOG = Logger.getLogger("org.apache.arrow");

  private final Map<Side, Target> targets;
  private final URI metrics;
  private final int passes;
  private final List<QueryResults> results;
  private final PrintStream out;

  private S3Bench(
      Target local, Target s3, URI metrics, int passes, List<Integer> queries, PrintStream out) {
    this.targets =
        Map.of(Side.LOCAL_FIRST, local, Side.LOCAL, local, Side.S3_COLD, s3, Side.S3_WARM, s3);
    this.metrics = requireNonNull(metrics, "metrics is null");
    this.passes = passes;
    this.out = requireNonNull(out, "out is null");
    this.results =
        queries.stream()
            .map(
                query ->
                    new QueryResults(
                        query, List.of(Side.LOCAL_FIRST, Side.LOCAL, Side.S3_COLD, Side.S3_WARM)))
            .toList();
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options =
        BenchSupport.options(
            args, USAGE, "--local", "--s3", "--s3-metrics", "--passes", "--queries");
    int passes = Integer.parseInt(options.getOrDefault("--passes", "3"));
    if (!options.keySet().containsAll(List.of("--local", "--s3", "--s3-metrics")) || passes < 1) {
      System.err.println("usage: " + USAGE + "\n--passes must be at least 1");
      System.exit(2);
    }
    List<Integer> queries =
        options.containsKey("--queries")
            ? BenchOptions.queries(options.get("--queries"))
            : BenchOptions.ALL_QUERIES;
    ARROW_LOG.setLevel(Level.WARNING);
    boolean clean;
    try (Target local = Target.dataflow(options.get("--local"));
        Target s3 = Target.dataflow(options.get("--s3"))) {
      URI metrics = URI.create(options.get("--s3-metrics"));
      clean = new S3Bench(local, s3, metrics, passes, queries, System.out).run();
    }
    System.exit(clean ? 0 : 1);
  }

  /** Runs the cold pass and the warm passes, prints the report; true if nothing failed. */
  private boolean run() throws Exception {
    out.printf(
        "Local server: threads=%s memory_limit=%s | S3 server: threads=%s memory_limit=%s%n",
        targets.get(Side.LOCAL).setting("threads"),
        targets.get(Side.LOCAL).setting("memory_limit"),
        targets.get(Side.S3_WARM).setting("threads"),
        targets.get(Side.S3_WARM).setting("memory_limit"));
    CacheMetrics start = CacheMetrics.scrape(metrics);
    QueryResults.pass(
        "cold pass", results, List.of(Side.LOCAL_FIRST, Side.S3_COLD), targets, true, out);
    CacheMetrics cold = CacheMetrics.scrape(metrics);
    for (int pass = 1; pass <= passes; pass++) {
      QueryResults.pass(
          "warm pass " + pass + "/" + passes,
          results,
          BenchSupport.alternating(pass, Side.LOCAL, Side.S3_WARM),
          targets,
          true,
          out);
    }
    CacheMetrics warm = CacheMetrics.scrape(metrics);
    new S3Report(results, passes, cold.since(start), warm.since(cold), out).print();
    return results.stream().allMatch(QueryResults::ok);
  }
}
