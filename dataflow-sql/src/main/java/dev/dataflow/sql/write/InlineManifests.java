package dev.dataflow.sql.write;

import java.util.List;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.iceberg.SnapshotUpdate;

/**
 * Runs a commit's manifest work in the committing thread. Iceberg hands those tasks to its shared
 * worker pool and waits for them by polling every 10 ms, so a commit that adds one data file slept
 * about 40 ms in four such waits (writing its manifest, filtering, merging and listing manifests):
 * on a bulk load in batches of 100 000 rows, a quarter of each batch's time. The few manifests a
 * pipeline's or a compaction's commit touches are written faster in line.
 */
public final class InlineManifests extends AbstractExecutorService {
  private static final InlineManifests INSTANCE = new InlineManifests();

  private InlineManifests() {}

  /** {@code update}, its manifests read and written by the thread that commits it. */
  public static <T extends SnapshotUpdate<?>> T of(T update) {
    // both set the update's own executors and return it
    update.scanManifestsWith(INSTANCE);
    update.writeManifestsWith(INSTANCE, 1);
    return update;
  }

  @Override
  public void execute(Runnable task) {
    task.run();
  }

  // shared by every commit, so never shut down

  @Override
  public void shutdown() {
    throw new UnsupportedOperationException("shared executor");
  }

  @Override
  public List<Runnable> shutdownNow() {
    throw new UnsupportedOperationException("shared executor");
  }

  @Override
  public boolean isShutdown() {
    return false;
  }

  @Override
  public boolean isTerminated() {
    return false;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return false;
  }
}
