package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.EngineErrors;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.iceberg.Table;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compaction and snapshot expiry ({@link SnapshotExpiry}) of a pipeline's destination tables in the
 * pipeline's own commit sequence. A destination has one writer, its pipeline, so compaction does
 * not race it: after a commit, once {@code commit.compact_interval} has passed, the pipeline's
 * thread rewrites each table's small files (at least {@code commit.compact_min_files} under {@link
 * #SMALL_BYTES}, a bounded amount per round) and goes on with the next batch, which the source kept
 * delivering into its queue meanwhile. A copy-on-write merge, which replaces the files holding its
 * keys, can then never commit between a compaction's read and its commit. A compaction asked for
 * from another thread ({@link #now}) takes the same lock as the pipeline's commits, so it waits for
 * the batch being committed and the next one waits for it.
 */
final class Compactor {
  static final long SMALL_BYTES = 32L << 20;
  private static final Logger LOG = LoggerFactory.getLogger(Compactor.class);

  private final SqlService sql;
  private final PipelineSpec spec;
  private final ReentrantLock writes = new ReentrantLock();
  private long last = System.nanoTime();

  Compactor(SqlService sql, PipelineSpec spec) {
    this.sql = requireNonNull(sql, "sql is null");
    this.spec = requireNonNull(spec, "spec is null");
  }

  /** Runs a write to the pipeline's destinations, never at the same time as a compaction. */
  <T> T exclusive(Supplier<T> write) {
    writes.lock();
    try {
      return write.get();
    } finally {
      writes.unlock();
    }
  }

  /**
   * Called by the pipeline's thread after each commit: when the interval has passed, compacts a
   * continuous pipeline's tables, then expires their snapshots older than {@code
   * commit.keep_snapshots} ({@link SnapshotExpiry}). A failure is logged and the stream goes on:
   * its tables are unchanged, and the next round tries again.
   */
  void afterCommit(Engine engine) {
    long interval = spec.commit().compactInterval().toNanos();
    if (spec.mode() != PipelineSpec.Mode.CONTINUOUS || System.nanoTime() - last < interval) {
      return;
    }
    long started = System.nanoTime();
    try {
      int rewritten = compact(engine, spec.commit().compactMinFiles());
      if (rewritten > 0) {
        LOG.info(
            "Pipeline {}: compacted {} small files in {} ms",
            spec.name(),
            rewritten,
            (System.nanoTime() - started) / 1_000_000);
      }
    } catch (RuntimeException e) {
      LOG.warn("Compaction of pipeline {}'s tables failed: {}", spec.name(), e.toString());
    }
    try {
      expire();
    } catch (RuntimeException e) {
      LOG.warn("Snapshot expiry of pipeline {}'s tables failed: {}", spec.name(), e.toString());
    } finally {
      last = System.nanoTime();
    }
  }

  /** Expires the old snapshots of the pipeline's destinations and its error table. */
  private void expire() {
    exclusive(
        () -> {
          List<DatasetPath> tables = new ArrayList<>();
          spec.destinations().forEach(destination -> tables.add(destination.table()));
          tables.add(spec.errors().table());
          long now = System.currentTimeMillis();
          for (DatasetPath path : tables) {
            Table table = sql.lake().tableOrNull(path);
            if (table != null) {
              int expired =
                  SnapshotExpiry.expire(table, spec.name(), spec.commit().keepSnapshots(), now);
              if (expired > 0) {
                LOG.info("Pipeline {}: expired {} snapshots of {}", spec.name(), expired, path);
              }
            }
          }
          return null;
        });
  }

  /** Compacts the pipeline's destinations now, from any thread; returns the files rewritten. */
  int now(int minFiles) {
    try (Engine engine = IngestEngine.open(sql, spec, List.of())) {
      return compact(engine, minFiles);
    }
  }

  private int compact(Engine engine, int minFiles) {
    return exclusive(
        () -> {
          int rewritten = 0;
          try (var connection = engine.connect();
              Statement statement = connection.createStatement()) {
            for (PipelineSpec.Destination destination : spec.destinations()) {
              Table table = sql.lake().tableOrNull(destination.table());
              if (table != null) {
                rewritten += sql.writer().compact(statement, table, SMALL_BYTES, minFiles);
              }
            }
          } catch (SQLException e) {
            throw EngineErrors.translate(e);
          }
          return rewritten;
        });
  }
}
