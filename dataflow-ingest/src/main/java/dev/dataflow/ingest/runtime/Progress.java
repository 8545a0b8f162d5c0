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
  private final AtomicLong lastSourceTime = new AtomicLong();
  private final AtomicLong lastLatency = new AtomicLong(-1);

  void add(Batch batch, long batchBytes) {
    rowsIn.addAndGet(batch.rowsIn());
    rowsOut.addAndGet(batch.rowsOut());
    rowsError.addAndGet(batch.rowsError());
    bytes.addAndGet(batchBytes);
    batches.incrementAndGet();
    long now = System.currentTimeMillis();
    lastCommitAt.set(now);
    if (batch.source() != null) {
      lastSourceTime.set(batch.source().newest());
      lastLatency.set(now - batch.source().oldest());
    }
  }

  /**
   * A snapshot of the counters; {@code rowsPerSecond} over the time since the start. For change
   * streams, {@code sourceLagMillis} is how far the lake is behind the source now (the time since
   * the newest committed change was committed at the source) and {@code latencyMillis} the source
   * commit to lake commit time of the last batch's oldest change; null for other origins.
   */
  public record View(
      long startedAt,
      long rowsIn,
      long rowsOut,
      long rowsError,
      long bytes,
      long batches,
      Long lastCommitAt,
      double rowsPerSecond,
      Long sourceLagMillis,
      Long latencyMillis) {}

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
        rowsIn.get() / seconds,
        lastSourceTime.get() == 0 ? null : System.currentTimeMillis() - lastSourceTime.get(),
        lastLatency.get() < 0 ? null : lastLatency.get());
  }
}
