package dev.dataflow.sql.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.lang.management.ManagementFactory;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What binding one statement has spent of its {@link PlanLimits}, checked at every node it visits,
 * and where a cancel reaches the planner: binding is plain Java over the parse tree, so it stops at
 * the next node once {@code stopped} says so.
 */
final class PlanBudget {
  /** Allocation is read every this many nodes: each read is a call into the JVM. */
  private static final int MEMORY_CHECK_EVERY = 1024;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  private final PlanLimits limits;
  private final BooleanSupplier stopped;
  private final long allocatedAtStart = allocated();
  private int nodes;
  private int joins;
  private int setOperations;

  PlanBudget(PlanLimits limits, BooleanSupplier stopped) {
    this.limits = limits;
    this.stopped = stopped;
  }

  /** Counts one node of the bound tree at {@code depth}; throws once a limit or a cancel is hit. */
  void visit(int depth, JsonNode node) {
    if (stopped.getAsBoolean()) {
      throw new CancellationException("stopped while planning");
    }
    if (depth > limits.maxDepth()) {
      throw limits.tooDeep();
    }
    if (++nodes > limits.maxNodes()) {
      throw PlanLimits.exceeded(
          "The statement has more than "
              + limits.maxNodes()
              + " parse-tree nodes once its views"
              + " are expanded",
          "--max-plan-nodes");
    }
    String type = node.path("type").asText();
    if (type.equals("JOIN") && ++joins > limits.maxJoins()) {
      throw PlanLimits.exceeded(
          "The statement joins more than "
              + limits.maxJoins()
              + " times once its views are"
              + " expanded",
          "--max-plan-joins");
    }
    if (type.equals("SET_OPERATION_NODE")) {
      // DuckDB lists the branches of a chain of them as the children of one node
      setOperations += Math.max(1, node.path("children").size() - 1);
      if (setOperations > limits.maxSetOperations()) {
        throw PlanLimits.exceeded(
            "The statement has more than "
                + limits.maxSetOperations()
                + " UNION, INTERSECT or EXCEPT operations once its views are expanded",
            "--max-plan-set-operations");
      }
    }
    if (nodes % MEMORY_CHECK_EVERY == 0) {
      checkMemory();
    }
  }

  /** Checks the planning memory now: after a large parse, before the walk reaches its nodes. */
  void checkMemory() {
    long used = allocated() - allocatedAtStart;
    if (used > limits.maxPlanMemory()) {
      throw PlanLimits.exceeded(
          "Planning the statement took more than " + (limits.maxPlanMemory() >> 20) + " MB",
          "--max-plan-memory");
    }
  }

  private static long allocated() {
    return THREADS.getCurrentThreadAllocatedBytes();
  }
}
