package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Settings of the SQL engine. {@code memoryLimit} is DuckDB's (e.g. "4GB"); {@code
 * statementTimeout} cancels any statement that runs longer (zero for none); {@code spillDirectory}
 * takes what does not fit.
 */
public record EngineConfig(
    String memoryLimit, int threads, Duration statementTimeout, Path spillDirectory) {
  public EngineConfig {
    requireNonNull(memoryLimit, "memoryLimit is null");
    requireNonNull(statementTimeout, "statementTimeout is null");
    requireNonNull(spillDirectory, "spillDirectory is null");
  }

  public static EngineConfig defaults(Path dataDir) {
    return new EngineConfig(
        "4GB",
        Runtime.getRuntime().availableProcessors(),
        Duration.ofMinutes(30),
        dataDir.toAbsolutePath().resolve("spill"));
  }

  public EngineConfig withStatementTimeout(Duration timeout) {
    return new EngineConfig(memoryLimit, threads, timeout, spillDirectory);
  }

  public EngineConfig withMemoryLimit(String limit) {
    return new EngineConfig(limit, threads, statementTimeout, spillDirectory);
  }
}
