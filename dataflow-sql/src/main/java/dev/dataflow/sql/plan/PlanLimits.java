package dev.dataflow.sql.plan;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;

/**
 * Bounds on what one statement may ask of the planner, so that no statement can hold a core or
 * gigabytes of memory before it even runs. DuckDB's parser, binder and optimizer cannot be
 * interrupted (a cancel reaches a statement only once it executes), and their cost grows faster
 * than the statement: a 2 000-way UNION ALL binds in 0.7 s here, a 5 000-way one in 3.4 s; a 50-way
 * join in 0.07 s, a 100-way one in 0.8 s, a 200-way one in over 7 s, while 4 000 computed columns
 * take 0.03 s. The defaults keep every uninterruptible phase well under a second on 2 cores, far
 * above what TPC-H (at most 175 nodes, depth 31, 7 joins) or a wide dbt model needs.
 *
 * @param maxStatementLength characters in the statement as submitted
 * @param maxNodes objects in the statement's parse tree once views are expanded
 * @param maxDepth nesting of that tree (DuckDB's serialized form, where an expression level is
 *     about three)
 * @param maxJoins joins once views are expanded
 * @param maxSetOperations UNION, INTERSECT and EXCEPT operations once views are expanded
 * @param maxPlanMemory bytes the planning thread may allocate for one statement
 */
public record PlanLimits(
    int maxStatementLength,
    int maxNodes,
    int maxDepth,
    int maxJoins,
    int maxSetOperations,
    long maxPlanMemory) {
  public PlanLimits {
    positive(maxStatementLength, "maxStatementLength");
    positive(maxNodes, "maxNodes");
    positive(maxDepth, "maxDepth");
    positive(maxJoins, "maxJoins");
    positive(maxSetOperations, "maxSetOperations");
    positive(maxPlanMemory, "maxPlanMemory");
  }

  public static PlanLimits defaults() {
    return new PlanLimits(256 * 1024, 20_000, 1_000, 64, 1_000, 512L << 20);
  }

  private static void positive(long value, String name) {
    if (value <= 0) {
      throw new IllegalArgumentException(name + " must be positive, not " + value);
    }
  }

  /** Refuses a statement longer than {@link #maxStatementLength}, before anything parses it. */
  public void checkLength(String sql) {
    if (sql.length() > maxStatementLength) {
      throw exceeded(
          "The statement is "
              + sql.length()
              + " characters long; the limit is "
              + maxStatementLength,
          "--max-statement-length");
    }
  }

  /** The refusal of a tree nested deeper than {@link #maxDepth}. */
  public DataflowException tooDeep() {
    return exceeded("The statement nests deeper than " + maxDepth + " levels", "--max-plan-depth");
  }

  /** The error for a limit reached: what was reached, and the setting that raises it. */
  public static DataflowException exceeded(String what, String setting) {
    return new DataflowException(
        ErrorCode.LIMIT_EXCEEDED,
        what
            + " (a limit that protects the server from one statement; an operator can raise it with"
            + " `dataflow up "
            + setting
            + " N`, see docs/operating.md)");
  }
}
