package dev.dataflow.bench;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.util.List;

/**
 * The results table: per query the best and median wall time of each side and Dataflow's ratio to
 * DuckDB direct, then the totals over the queries that ran cleanly on both sides.
 */
final class Report {
  private static final String ROW = "%-6s %9s %11s %11s %13s %13s %10s %10s %9s%n";

  private final List<QueryResults> results;
  private final int passes;
  private final PrintStream out;

  Report(List<QueryResults> results, int passes, PrintStream out) {
    this.results = List.copyOf(results);
    this.passes = passes;
    this.out = requireNonNull(out, "out is null");
  }

  void print() {
    out.printf(
        "%nTPC-H, wall time in ms from prepare to last row fetched; best and median of %d passes%n",
        passes);
    out.printf(
        ROW,
        "query",
        "rows",
        "direct",
        "direct",
        "dataflow",
        "dataflow",
        "ratio",
        "ratio",
        "Δ best");
    out.printf(ROW, "", "", "best", "median", "best", "median", "best", "median", "ms");
    results.forEach(this::printQuery);
    printTotals();
  }

  private void printQuery(QueryResults query) {
    String name = "Q%02d".formatted(query.query());
    if (!query.ok()) {
      out.printf("%-6s %s%n", name, query.problem());
      return;
    }
    Series direct = query.on(Side.DIRECT);
    Series dataflow = query.on(Side.DATAFLOW);
    out.printf(
        ROW,
        name,
        direct.rows(),
        millis(direct.best()),
        millis(direct.median()),
        millis(dataflow.best()),
        millis(dataflow.median()),
        ratio(dataflow.best(), direct.best()),
        ratio(dataflow.median(), direct.median()),
        millis(dataflow.best() - direct.best()));
  }

  private void printTotals() {
    List<QueryResults> clean = results.stream().filter(QueryResults::ok).toList();
    long directBest = sum(clean, Side.DIRECT, true);
    long directMedian = sum(clean, Side.DIRECT, false);
    long dataflowBest = sum(clean, Side.DATAFLOW, true);
    long dataflowMedian = sum(clean, Side.DATAFLOW, false);
    out.printf(
        ROW,
        "total",
        "",
        millis(directBest),
        millis(directMedian),
        millis(dataflowBest),
        millis(dataflowMedian),
        ratio(dataflowBest, directBest),
        ratio(dataflowMedian, directMedian),
        millis(dataflowBest - directBest));
    printVerdict(clean.size(), (double) dataflowBest / directBest);
  }

  private void printVerdict(int cleanQueries, double ratio) {
    if (cleanQueries < results.size()) {
      out.printf(
          "*** totals cover only the %d of %d queries that ran cleanly on both sides ***%n",
          cleanQueries, results.size());
    }
    out.printf(
        "Dataflow / DuckDB direct, total of per-query best: %.3f (target ≤ %.2f): %s%n",
        ratio, TpchBench.TARGET, ratio <= TpchBench.TARGET ? "MET" : "NOT MET");
  }

  /** The sum over the queries of a side's best or median times. */
  static long sum(List<QueryResults> queries, Side side, boolean best) {
    return queries.stream()
        .map(query -> query.on(side))
        .mapToLong(series -> best ? series.best() : series.median())
        .sum();
  }

  static String millis(long nanos) {
    return "%.1f".formatted(nanos / 1e6);
  }

  static String ratio(long nanos, long baseNanos) {
    return "%.2f".formatted((double) nanos / baseNanos);
  }
}
