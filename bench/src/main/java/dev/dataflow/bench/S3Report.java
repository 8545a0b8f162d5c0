package dev.dataflow.bench;

import static dev.dataflow.bench.Report.millis;
import static dev.dataflow.bench.Report.ratio;
import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.List;

/**
 * bench/s3's results as markdown: per query each side's time and the S3 warehouse's ratios to the
 * local one, the totals over the queries that ran cleanly everywhere, the verdict, and the cache's
 * figures for the cold pass and the warm passes.
 */
final class S3Report {
  private static final List<Side> TIMES =
      List.of(Side.LOCAL_FIRST, Side.LOCAL, Side.S3_COLD, Side.S3_WARM);

  private final List<QueryResults> results;
  private final int passes;
  private final CacheMetrics cold;
  private final CacheMetrics warm;
  private final PrintStream out;

  S3Report(
      List<QueryResults> results,
      int passes,
      CacheMetrics cold,
      CacheMetrics warm,
      PrintStream out) {
    this.results = List.copyOf(results);
    this.passes = passes;
    this.cold = requireNonNull(cold, "cold is null");
    this.warm = requireNonNull(warm, "warm is null");
    this.out = requireNonNull(out, "out is null");
  }

  void print() {
    out.printf(
        "%nTPC-H, wall time in ms from prepare to last row fetched. Local and S3 warm: best of %d"
            + " passes; local first pass and S3 cold: the servers' first pass, the S3 server's"
            + " cache empty%n%n",
        passes);
    out.println(
        "| Query | Rows | Local, first pass | Local | S3 cold | S3 warm | Warm / local | Cold / local |");
    out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
    results.forEach(this::printQuery);
    printTotals();
    printCache();
  }

  private void printQuery(QueryResults query) {
    String name = "Q%02d".formatted(query.query());
    if (!query.ok()) {
      out.printf("| %s | %s | | | | | | |%n", name, query.problem());
      return;
    }
    out.printf(
        "| %s | %d | %s | %s | %s | %s | %s | %s |%n",
        name,
        query.on(Side.LOCAL).rows(),
        millis(query.on(Side.LOCAL_FIRST).best()),
        millis(query.on(Side.LOCAL).best()),
        millis(query.on(Side.S3_COLD).best()),
        millis(query.on(Side.S3_WARM).best()),
        ratio(query.on(Side.S3_WARM).best(), query.on(Side.LOCAL).best()),
        ratio(query.on(Side.S3_COLD).best(), query.on(Side.LOCAL).best()));
  }

  private void printTotals() {
    List<QueryResults> clean = results.stream().filter(QueryResults::ok).toList();
    long[] totals = TIMES.stream().mapToLong(side -> Report.sum(clean, side, true)).toArray();
    long local = totals[1];
    long s3Cold = totals[2];
    long s3Warm = totals[3];
    out.printf(
        "| **total** | | **%s** | **%s** | **%s** | **%s** | **%s** | **%s** |%n%n",
        millis(totals[0]),
        millis(local),
        millis(s3Cold),
        millis(s3Warm),
        ratio(s3Warm, local),
        ratio(s3Cold, local));
    if (clean.size() < results.size()) {
      out.printf(
          "*** totals cover only the %d of %d queries that ran cleanly on every side ***%n",
          clean.size(), results.size());
    }
    double ratio = (double) s3Warm / local;
    out.printf(
        "S3 warm / local, total of per-query best: %.3f (target ≤ %.2f): %s%n",
        ratio, S3Bench.TARGET, ratio <= S3Bench.TARGET ? "MET" : "NOT MET");
    out.printf("S3 cold / local: %.3f%n%n", (double) s3Cold / local);
  }

  private void printCache() {
    out.println("| S3 server's cache | Hits | Misses | Hit rate | Fetched MiB |");
    out.println("|---|---:|---:|---:|---:|");
    printCache("cold pass", cold);
    printCache("warm passes (" + passes + ")", warm);
    out.printf("%nThe cache holds %.1f MiB after the run.%n", warm.sizeBytes() / 1048576.0);
  }

  private void printCache(String name, CacheMetrics cache) {
    out.printf(
        "| %s | %d | %d | %.1f %% | %.1f |%n",
        name,
        cache.hits(),
        cache.misses(),
        100 * cache.hitRate(),
        cache.fetchedBytes() / 1048576.0);
  }
}
