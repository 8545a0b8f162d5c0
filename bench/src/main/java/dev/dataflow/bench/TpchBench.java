package dev.dataflow.bench;

import static java.util.Objects.requireNonNull;

import java.io.PrintStream;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * TPC-H, every row fetched: Dataflow over Iceberg through the Flight SQL JDBC driver against DuckDB
 * reading the same Parquet files in this process. One warm-up pass of all queries on each side,
 * then the measured passes; per query the best and median wall time of each side and their ratio.
 *
 * <p>Within a pass each query runs on both sides back to back, so both meet the same page cache;
 * which side goes first alternates between passes, so neither always profits from the other's
 * reads. Exits 1 if any query failed or the sides disagree on a row count.
 */
public final class TpchBench {
  /** Dataflow's total may be at most this multiple of DuckDB direct's. */
  static final double TARGET = 1.15;

  /**
   * The Flight SQL driver logs its allocator set-up at INFO through java.util.logging; held in a
   * field because that framework keeps loggers only weakly, and a collected one forgets its level.
   */
  private static final Logger ARROW_LOG = Logger.getLogger("org.apache.arrow");

  private final BenchOptions options;
  private final Map<Side, Target> targets;
  private final List<QueryResults> results;
  private final PrintStream out;

  TpchBench(BenchOptions options, Map<Side, Target> targets, PrintStream out) {
    this.options = requireNonNull(options, "options is null");
    this.targets = Map.copyOf(targets);
    this.out = requireNonNull(out, "out is null");
    this.results =
        options.queries().stream()
            .map(query -> new QueryResults(query, List.of(Side.DIRECT, Side.DATAFLOW)))
            .toList();
  }

  public static void main(String[] args) throws SQLException {
    BenchOptions options = options(args);
    ARROW_LOG.setLevel(Level.WARNING);
    boolean clean;
    try (Target direct =
            Target.duckdbDirect(options.dataDir(), options.threads(), options.memoryLimit());
        Target dataflow = Target.dataflow(options.flightUrl())) {
      Map<Side, Target> targets = Map.of(Side.DIRECT, direct, Side.DATAFLOW, dataflow);
      clean = new TpchBench(options, targets, System.out).run();
    }
    System.exit(clean ? 0 : 1);
  }

  private static BenchOptions options(String[] args) {
    try {
      return BenchOptions.parse(args);
    } catch (IllegalArgumentException | NullPointerException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      throw e;
    }
  }

  /** Runs the warm-up and measured passes, prints the report; true if nothing failed. */
  boolean run() {
    printSettings();
    pass(0);
    for (int pass = 1; pass <= options.passes(); pass++) {
      pass(pass);
    }
    new Report(results, options.passes(), out).print();
    return results.stream().allMatch(QueryResults::ok);
  }

  private void printSettings() {
    out.printf(
        "DuckDB direct: threads=%s memory_limit=%s | Dataflow server: threads=%s memory_limit=%s%n",
        targets.get(Side.DIRECT).setting("threads"),
        targets.get(Side.DIRECT).setting("memory_limit"),
        targets.get(Side.DATAFLOW).setting("threads"),
        targets.get(Side.DATAFLOW).setting("memory_limit"));
  }

  /** Pass 0 is the warm-up: its times are not kept. */
  private void pass(int pass) {
    QueryResults.pass(
        pass == 0 ? "warm-up" : "pass " + pass + "/" + options.passes(),
        results,
        BenchSupport.alternating(pass, Side.DIRECT, Side.DATAFLOW),
        targets,
        pass > 0,
        out);
  }
}
