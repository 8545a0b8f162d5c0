package dev.dataflow.ingest.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ingest.spec.PipelineSpec;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * The spools of the http pipelines of a platform, one directory each under {@code root}. One {@link
 * HttpIngest} per pipeline is shared by the server (which appends) and the pipeline's runs (which
 * commit), so both see the same sequence and pending count.
 */
public final class HttpSpools {
  private final Path root;
  private final ToLongFunction<PipelineSpec> committed;
  private final Map<String, HttpIngest> spools = new ConcurrentHashMap<>();

  /**
   * @param committed the sequence a pipeline last committed (0 if none): a new spool numbers on
   *     from it even when every spool file was deleted
   */
  public HttpSpools(Path root, ToLongFunction<PipelineSpec> committed) {
    this.root = requireNonNull(root, "root is null");
    this.committed = requireNonNull(committed, "committed is null");
  }

  /**
   * Forgets the spool of a deleted pipeline and returns its directory, which the caller deletes
   * (whether or not this process opened the spool).
   */
  public Path remove(String name) {
    requireNonNull(name, "name is null");
    spools.remove(name);
    return root.resolve(name);
  }

  /** The spool of a pipeline with an http origin, with the limits of this definition. */
  public HttpIngest of(PipelineSpec spec) {
    if (!(spec.origin() instanceof PipelineSpec.HttpOrigin origin)) {
      throw new IllegalArgumentException("Pipeline " + spec.name() + " has no http origin");
    }
    HttpIngest spool =
        spools.computeIfAbsent(
            spec.name(),
            name -> new HttpIngest(name, root.resolve(name), committed.applyAsLong(spec)));
    // a client waits about one commit interval for the pipeline to catch up
    long interval =
        spec.commit().maxInterval() == null ? 1 : spec.commit().maxInterval().toSeconds();
    spool.limits(origin.maxPendingRows(), interval);
    return spool;
  }
}
