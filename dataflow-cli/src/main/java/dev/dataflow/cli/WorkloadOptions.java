package dev.dataflow.cli;

import dev.dataflow.sql.Admission;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.plan.PlanLimits;
import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code dataflow up}'s limits on one statement and on how many run at once; an option not given
 * keeps its default (docs/operating.md lists them all).
 */
final class WorkloadOptions {
  @Option(names = "--max-statement-length", description = "Longest statement, in characters.")
  Integer maxStatementLength;

  @Option(names = "--max-plan-nodes", description = "Most parse-tree nodes, views expanded.")
  Integer maxPlanNodes;

  @Option(names = "--max-plan-depth", description = "Deepest parse-tree nesting, views expanded.")
  Integer maxPlanDepth;

  @Option(names = "--max-plan-joins", description = "Most joins in a statement, views expanded.")
  Integer maxPlanJoins;

  @Option(
      names = "--max-plan-set-operations",
      description = "Most UNION, INTERSECT and EXCEPT operations, views expanded.")
  Integer maxPlanSetOperations;

  @Option(names = "--max-plan-memory", description = "Most memory planning may take, e.g. 512MB.")
  String maxPlanMemory;

  @Option(names = "--max-running", description = "Statements running at once.")
  Integer maxRunning;

  @Option(names = "--max-running-per-principal", description = "Of those, per principal.")
  Integer maxRunningPerPrincipal;

  @Option(names = "--short-slots", description = "Slots only short statements may take.")
  Integer shortSlots;

  @Option(
      names = "--short-scan-size",
      description = "A statement reading at most this much is short, e.g. 64MB.")
  String shortScanSize;

  @Option(names = "--max-queued", description = "Statements waiting for a slot at most.")
  Integer maxQueued;

  @Option(names = "--queue-timeout", description = "Longest wait for a slot, e.g. PT5M.")
  Duration queueTimeout;

  EngineConfig applyTo(EngineConfig engine) {
    PlanLimits limits = engine.limits();
    Admission.Settings admission = engine.admission();
    return engine
        .withLimits(
            new PlanLimits(
                or(maxStatementLength, limits.maxStatementLength()),
                or(maxPlanNodes, limits.maxNodes()),
                or(maxPlanDepth, limits.maxDepth()),
                or(maxPlanJoins, limits.maxJoins()),
                or(maxPlanSetOperations, limits.maxSetOperations()),
                maxPlanMemory == null ? limits.maxPlanMemory() : bytes(maxPlanMemory)))
        .withAdmission(
            new Admission.Settings(
                or(maxRunning, admission.maxRunning()),
                or(maxRunningPerPrincipal, or(maxRunning, admission.maxRunningPerPrincipal())),
                or(shortSlots, admission.shortSlots()),
                shortScanSize == null ? admission.shortScanBytes() : bytes(shortScanSize),
                or(maxQueued, admission.maxQueued()),
                queueTimeout == null ? admission.queueTimeout() : queueTimeout));
  }

  private static int or(Integer value, int otherwise) {
    return value == null ? otherwise : value;
  }

  /** A size such as {@code 512MB}, {@code 2GB} or a plain number of bytes. */
  static long bytes(String size) {
    String text = size.trim().toUpperCase(Locale.ROOT);
    long unit = 1;
    for (String suffix : new String[] {"KB", "MB", "GB"}) {
      unit *= 1024;
      if (text.endsWith(suffix)) {
        return Long.parseLong(text.substring(0, text.length() - 2).trim()) * unit;
      }
    }
    return Long.parseLong(text);
  }
}
