package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import dev.dataflow.sql.plan.PlanLimits;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the SQL engine. {@code memoryLimit} is DuckDB's (e.g. "4GB"); {@code
 * statementTimeout} cancels any statement that runs longer (zero for none); {@code spillDirectory}
 * takes what does not fit; {@code limits} bound what one statement may ask of the planner, and
 * {@code admission} how many statements run at once and how many wait.
 */
public record EngineConfig(
    String memoryLimit,
    int threads,
    Duration statementTimeout,
    Path spillDirectory,
    PlanLimits limits,
    Admission.Settings admission) {
  public EngineConfig {
    requireNonNull(memoryLimit, "memoryLimit is null");
    requireNonNull(statementTimeout, "statementTimeout is null");
    requireNonNull(spillDirectory, "spillDirectory is null");
    requireNonNull(limits, "limits is null");
    requireNonNull(admission, "admission is null");
  }

  public EngineConfig(
      String memoryLimit, int threads, Duration statementTimeout, Path spillDirectory) {
    this(
        memoryLimit,
        threads,
        statementTimeout,
        spillDirectory,
        PlanLimits.defaults(),
        Admission.Settings.defaults());
  }

  public static EngineConfig defaults(Path dataDir) {
    return new EngineConfig(
        "4GB",
        Runtime.getRuntime().availableProcessors(),
        Duration.ofMinutes(30),
        dataDir.toAbsolutePath().resolve("spill"));
  }

  public EngineConfig withStatementTimeout(Duration timeout) {
    return new EngineConfig(memoryLimit, threads, timeout, spillDirectory, limits, admission);
  }

  public EngineConfig withMemoryLimit(String limit) {
    return new EngineConfig(limit, threads, statementTimeout, spillDirectory, limits, admission);
  }

  public EngineConfig withLimits(PlanLimits planLimits) {
    return new EngineConfig(
        memoryLimit, threads, statementTimeout, spillDirectory, planLimits, admission);
  }

  public EngineConfig withAdmission(Admission.Settings settings) {
    return new EngineConfig(
        memoryLimit, threads, statementTimeout, spillDirectory, limits, settings);
  }
}
