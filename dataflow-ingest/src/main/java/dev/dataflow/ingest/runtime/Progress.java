package dev.dataflow.ingest.runtime;

import java.util.concurrent.atomic.AtomicLong;

/** Live counters of a pipeline since it was started, updated after every batch. */
public final class Progress {
  private final long startedAt = System.currentTimeMillis();
  private final AtomicLong rowsIn = new AtomicLong();
  private final AtomicLong rowsOut = new AtomicLong();
  private final AtomicLong rowsError = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong batches = new AtomicLong();
  private final AtomicLong lastCommitAt = new AtomicLong();

  void add(Batch batch, long batchBytes) {
    rowsIn.addAndGet(batch.rowsIn());
    rowsOut.addAndGet(batch.rowsOut());
    rowsError.addAndGet(batch.rowsError());
    bytes.addAndGet(batchBytes);
    batches.incrementAndGet();
    lastCommitAt.set(System.currentTimeMillis());
  }

  /** A snapshot of the counters; {@code rowsPerSecond} over the time since the start. */
  public record View(
      long startedAt,
      long rowsIn,
      long rowsOut,
      long rowsError,
      long bytes,
      long batches,
      Long lastCommitAt,
      double rowsPerSecond) {}

  public View view() {
    double seconds = Math.max(0.001, (System.currentTimeMillis() - startedAt) / 1000.0);
    long commit = lastCommitAt.get();
    return new View(
        startedAt,
        rowsIn.get(),
        rowsOut.get(),
        rowsError.get(),
        bytes.get(),
        batches.get(),
        commit == 0 ? null : commit,
        rowsIn.get() / seconds);
  }
}
