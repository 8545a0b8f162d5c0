package dev.dataflow.ingest.runtime;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Where a pipeline's rows come from, for one run. The runtime calls {@link #next} on a DuckDB
 * connection of the run's {@link IngestEngine}; the reader fills table {@code input} with the next
 * batch (and {@link BatchProcessor#ERRORS} with records it could not read) and says which source
 * offsets that batch reaches. Those offsets are committed in the same Iceberg snapshot as the
 * batch's rows, so a reader starts each run from {@link Offsets} of its destination and never reads
 * a committed record twice. Called from one thread; {@code close} after the last call.
 */
public interface OriginReader extends AutoCloseable {
  /**
   * A batch read into {@code input}: an id that is the same when the same source records are read
   * again (so a retry after a crash is recognized), the offsets to commit with it (snapshot summary
   * properties), the bytes read and the source units (files, partitions…) it covered. {@code
   * retracts}, when not null, names earlier commits whose rows this batch takes back (see {@link
   * Retract}). {@code rows} is the number of rows in {@code input} when the reader counted them (so
   * that a view over what it read need not be scanned to count it), else -1. {@code lateRejects},
   * when not null, says that {@code input} is a view whose scan runs in the write and rejects
   * records as it goes (see {@link LateRejects}).
   */
  record Pending(
      String batchId,
      Map<String, String> offsets,
      long bytes,
      int units,
      Retract retracts,
      long rows,
      LateRejects lateRejects) {
    public Pending(String batchId, Map<String, String> offsets, long bytes, int units) {
      this(batchId, offsets, bytes, units, null, -1, null);
    }

    public Pending(
        String batchId,
        Map<String, String> offsets,
        long bytes,
        int units,
        Retract retracts,
        long rows) {
      this(batchId, offsets, bytes, units, retracts, rows, null);
    }
  }

  /**
   * The records a batch's {@code input} view rejected while the write scanned it (a pipeline that
   * reads its input once, see {@link dev.dataflow.ingest.spec.PipelineSpec#readsInputOnce}): known
   * only once the data files are written, they are moved into {@link BatchProcessor#ERRORS} before
   * anything is committed, so the error policy and the error table see them.
   */
  public interface LateRejects {
    void collect(Statement statement) throws SQLException;

    /**
     * Called when the write's scan of {@code input} failed with {@code failure} and nothing of the
     * batch was committed: whether the reader has read the same records again, another way, into
     * {@code input} as a batch read before (file tables, rejects already in the error table), so
     * that the write can be retried over it. Unsupported by default: the failure stands.
     */
    default boolean reread(Statement statement, Exception failure) throws SQLException {
      return false;
    }
  }

  /**
   * The pipeline's earlier commits whose offset {@code key} is {@code value}: a read that cannot
   * resume where they stopped (a full load, read again from its start after a crash) takes back the
   * rows they appended, in the same commit as its own first rows, so that they are neither lost nor
   * repeated.
   */
  record Retract(String key, String value) {}

  /**
   * When the changes of a batch were committed at the source (ms since the epoch): its oldest and
   * its newest.
   */
  record SourceTimes(long oldest, long newest) {}

  /** Local directories the reader reads files from: the run's DuckDB may touch only those. */
  default List<Path> directories() {
    return List.of();
  }

  /** Reads the next batch, or returns null when nothing is pending now. */
  Pending next(Statement statement) throws SQLException;

  /**
   * Reads the next batch; a reader of a stream may wait for one until {@code stopped} holds, then
   * return null. By default, {@link #next(Statement)}.
   */
  default Pending next(Statement statement, BooleanSupplier stopped) throws SQLException {
    return next(statement);
  }

  /**
   * Reads at most {@code limit} records into {@code input} for a preview, whatever was committed.
   */
  void preview(Statement statement, int limit) throws SQLException;

  /**
   * The source commit times of the batch {@link #next} returned last, for origins that know them
   * (change streams); null by default.
   */
  default SourceTimes sourceTimes() {
    return null;
  }

  @Override
  default void close() {}
}
