package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.EngineErrors;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Background compaction of the tables that continuous pipelines append to: every {@link #EVERY}, a
 * table with at least {@link #MIN_FILES} data files under {@link #SMALL_BYTES} has them rewritten
 * into large ones while the stream goes on (appends do not conflict with a rewrite). Merge
 * destinations are left alone: a copy-on-write merge replaces the files it touches itself, and one
 * committed between the compaction's read and its commit would conflict with it.
 */
final class Compactor implements AutoCloseable {
  static final long SMALL_BYTES = 32L << 20;
  static final int MIN_FILES = 16;
  static final Duration EVERY = Duration.ofMinutes(1);
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  private final SqlService sql;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "compaction");
            thread.setDaemon(true);
            return thread;
          });

  /** Compacts the append destinations of {@code continuous} (the running pipelines) regularly. */
  Compactor(SqlService sql, Supplier<Collection<PipelineSpec>> continuous) {
    this.sql = sql;
    timer.scheduleWithFixedDelay(
        () -> continuous.get().forEach(spec -> compactQuietly(spec)),
        EVERY.toMillis(),
        EVERY.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void compactQuietly(PipelineSpec spec) {
    try {
      compact(spec, MIN_FILES);
    } catch (RuntimeException e) {
      LOG.warn("Compaction of pipeline {}'s tables failed: {}", spec.name(), e.toString());
    }
  }

  /** Compacts the pipeline's append destinations now; returns the files rewritten. */
  int compact(PipelineSpec spec, int minFiles) {
    int rewritten = 0;
    try (Engine engine = IngestEngine.open(sql, spec, List.of());
        var connection = engine.connect();
        Statement statement = connection.createStatement()) {
      for (PipelineSpec.Destination destination : spec.destinations()) {
        Table table = sql.lake().tableOrNull(destination.table());
        if (table != null && destination.mode() == PipelineSpec.WriteMode.APPEND) {
          rewritten += sql.writer().compact(statement, table, SMALL_BYTES, minFiles);
        }
      }
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
    return rewritten;
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(1, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
