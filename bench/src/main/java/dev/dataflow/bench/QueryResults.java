package dev.dataflow.bench;

import dev.dataflow.sql.tpch.TpchQueries;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** The runs of one TPC-H query on each side a benchmark compares. */
final class QueryResults {
  private final int query;
  private final Map<Side, Series> series = new EnumMap<>(Side.class);
  private boolean mismatchPrinted;

  QueryResults(int query, List<Side> sides) {
    this.query = query;
    for (Side side : sides) {
      series.put(side, new Series());
    }
  }

  /**
   * One pass: each query on every side of {@code sides} in turn, back to back, so that they meet
   * the same page cache; after each query, a row count mismatch so far is printed.
   */
  static void pass(
      String name,
      List<QueryResults> results,
      List<Side> sides,
      Map<Side, Target> targets,
      boolean measured,
      PrintStream out) {
    long start = System.nanoTime();
    for (QueryResults query : results) {
      for (Side side : sides) {
        query.run(side, targets.get(side), measured, out);
      }
      query.checkRows(out);
    }
    System.err.printf("%s done in %.1f s%n", name, BenchSupport.seconds(start));
  }

  int query() {
    return query;
  }

  Series on(Side side) {
    return series.get(side);
  }

  /**
   * Runs the query once on a side's target; {@code measured} runs count for timing. A query that
   * failed once is not run again on that side: its error is what the report shows.
   */
  private void run(Side side, Target target, boolean measured, PrintStream out) {
    Series runs = on(side);
    if (runs.error() != null) {
      return;
    }
    try {
      runs.add(target.run(TpchQueries.query(query, "tpch")), measured);
    } catch (SQLException | RuntimeException e) {
      runs.fail(Target.firstLine(e.getMessage()));
      out.printf("*** Q%02d FAILED on %s: %s%n", query, side.label(), runs.error());
    }
  }

  /** Prints, once, that the sides that ran so far disagree on the row count. */
  private void checkRows(PrintStream out) {
    if (!mismatchPrinted && !rowsAgree()) {
      mismatchPrinted = true;
      out.printf("*** ROW COUNT MISMATCH Q%02d: %s ***%n", query, rowCounts());
    }
  }

  boolean ok() {
    return series.values().stream().allMatch(Series::ok) && rowsAgree();
  }

  /** True when every side that ran without an error returned the same number of rows. */
  private boolean rowsAgree() {
    return ran().map(Map.Entry::getValue).mapToLong(Series::rows).distinct().count() <= 1;
  }

  /** Why the query is left out of the totals: a side's error, or the sides' row counts. */
  String problem() {
    for (Map.Entry<Side, Series> side : series.entrySet()) {
      if (side.getValue().error() != null) {
        return "FAILED on " + side.getKey().label() + ": " + side.getValue().error();
      }
    }
    return "ROW COUNT MISMATCH: " + rowCounts();
  }

  private String rowCounts() {
    return ran()
        .map(side -> side.getKey().label() + " " + side.getValue().rows())
        .collect(Collectors.joining(", "));
  }

  private Stream<Map.Entry<Side, Series>> ran() {
    return series.entrySet().stream()
        .filter(side -> side.getValue().error() == null && side.getValue().rows() >= 0);
  }
}
