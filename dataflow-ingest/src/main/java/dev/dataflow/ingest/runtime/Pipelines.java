package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.cdc.CdcReader;
import dev.dataflow.ingest.cdc.Replication;
import dev.dataflow.ingest.http.HttpIngest;
import dev.dataflow.ingest.http.HttpSpools;
import dev.dataflow.ingest.jdbc.JdbcReader;
import dev.dataflow.ingest.kafka.KafkaReader;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpecs;
import dev.dataflow.lake.Fencing;
import dev.dataflow.lake.Leases;
import dev.dataflow.lake.SpoolDirectory;
import dev.dataflow.sql.SqlService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.iceberg.DeleteFiles;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expressions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipelines of a platform: their definitions (as applied YAML), states and runs in the metadata
 * store, and one worker thread per pipeline this process runs. A batch pipeline without a schedule
 * runs once and finishes; with a schedule, or in continuous mode, it runs again after each interval
 * until stopped.
 *
 * <p>A pipeline whose state is RUNNING is run by the one process that holds its lease in the
 * metadata store ({@link Workers}); every {@link Workers#BEAT} a process that runs pipelines renews
 * its leases and takes those of pipelines nobody runs, including those of a worker that stopped
 * renewing. Its commits carry the lease's epoch, so a worker that lost its lease can never commit
 * again; offsets committed with the data make the new holder pick up exactly after the last commit.
 */
public final class Pipelines implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipelines.class);

  private final SqlService sql;
  private final PipelineStore store;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(DaemonThreads.named("pipeline"));
  private final Map<String, Worker> running = new ConcurrentHashMap<>();
  private final PipelineMetrics metrics;
  private final HttpSpools http;
  private final Workers workers;
  private final boolean runs;
  private final ScheduledExecutorService beat =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("pipeline-leases"));

  /** Without a registry to expose them, metrics are recorded nowhere (an empty composite). */
  public Pipelines(SqlService sql) {
    this(sql, new CompositeMeterRegistry());
  }

  /**
   * Runs pipelines, recording each one's meters (see {@link PipelineMetrics}) in {@code registry}.
   */
  public Pipelines(SqlService sql, MeterRegistry registry) {
    this(sql, registry, "all", true);
  }

  /**
   * Pipelines as a process of {@code role} sees them; with {@code runs} false it only keeps their
   * definitions and states, and the processes that run pipelines run them.
   */
  public Pipelines(SqlService sql, MeterRegistry registry, String role, boolean runs) {
    this.sql = requireNonNull(sql, "sql is null");
    this.store = new PipelineStore(sql.lake());
    this.metrics =
        new PipelineMetrics(requireNonNull(registry, "registry is null"), running::containsKey);
    this.http = HttpReader.spools(sql);
    this.workers = new Workers(sql.lake(), role);
    this.runs = runs;
  }

  /** The processes running pipelines. */
  public Workers workers() {
    return workers;
  }

  /**
   * Validates and stores a definition; a running pipeline takes it at its next run. Relative paths
   * in it resolve against the directory of {@code source}, the file it was read from.
   */
  public PipelineSpec apply(String yaml, Path source) {
    requireNonNull(yaml, "yaml is null");
    requireNonNull(source, "source is null");
    Path file = source.toAbsolutePath().normalize();
    PipelineSpec spec = PipelineSpecs.parse(yaml, file);
    store.save(spec.name(), yaml, file.toString());
    return spec;
  }

  public PipelineSpec spec(String name) {
    PipelineStore.Stored stored = stored(name);
    return PipelineSpecs.parse(stored.definition(), Path.of(stored.sourcePath()));
  }

  /** The YAML text of a pipeline as it was applied, with any literal secret redacted. */
  public String definition(String name) {
    return PipelineSpecs.redacted(stored(name).definition());
  }

  public List<PipelineStatus> list() {
    return store.all().stream().map(s -> status(s.name())).toList();
  }

  public PipelineStatus status(String name) {
    PipelineStore.Stored stored = stored(name);
    List<RunRecord> runs = store.runs(name, 1);
    Worker worker = running.get(name);
    return new PipelineStatus(
        name,
        stored.state(),
        stored.cause(),
        runs.isEmpty() ? null : runs.get(0),
        worker == null ? null : worker.progress.view());
  }

  /**
   * The spool that takes the rows pushed to a running pipeline with an http origin; null when the
   * pipeline is not running or its origin is not http.
   */
  public HttpIngest http(String name) {
    PipelineSpec spec = spec(name);
    return spec.origin() instanceof PipelineSpec.HttpOrigin && running.containsKey(name)
        ? http.of(spec)
        : null;
  }

  public List<RunRecord> runs(String name, int limit) {
    stored(name);
    return store.runs(name, limit);
  }

  /**
   * Starts a pipeline: here when this process runs pipelines, else on a worker within {@link
   * Workers#BEAT}. Starting a running pipeline is refused, except a Kafka pipeline on another
   * worker: this one joins its consumer group.
   */
  public void start(String name) {
    PipelineSpec spec = spec(name);
    refuseRunning(spec);
    store.state(name, PipelineState.RUNNING, null);
    if (runs && !claim(name)) {
      refuseRunning(spec);
    }
  }

  /**
   * A Kafka pipeline may run on several workers at once: its consumer group splits the partitions,
   * and each commit carries its own partitions' offsets.
   */
  private static boolean shared(PipelineSpec spec) {
    return spec.origin() instanceof PipelineSpec.KafkaOrigin;
  }

  /** The lease a worker holds to run a pipeline: its own one of a shared pipeline. */
  private String lease(PipelineSpec spec) {
    String lease = Workers.lease(spec.name());
    return shared(spec) ? lease + "@" + workers.id() : lease;
  }

  private void refuseRunning(PipelineSpec spec) {
    String name = spec.name();
    String holder =
        running.containsKey(name) ? workers.id() : shared(spec) ? null : workers.holder(name);
    if (holder != null) {
      throw new DataflowException(
          ErrorCode.ALREADY_EXISTS, "Pipeline " + name + " is already running on " + holder);
    }
  }

  /**
   * Stops a running pipeline after its current batch, wherever it runs; waits up to a minute for
   * it.
   */
  public void stop(String name) {
    stored(name);
    Worker worker = running.get(name);
    if (worker == null && workers.holders(name).isEmpty()) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "Pipeline " + name + " is not running");
    }
    // its holders see the state at their next beat and stop it
    store.state(name, PipelineState.STOPPED, null);
    if (worker != null) {
      worker.stop();
      worker.awaitEnd();
    }
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
    while (!workers.holders(name).isEmpty() && System.nanoTime() < deadline) {
      sleep(Workers.BEAT.toMillis() / 4);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a pipeline once in the calling thread and returns the run (tests, and `pipeline run`). */
  public RunRecord runOnce(String name) {
    PipelineSpec spec = spec(name);
    refuseRunning(spec);
    Worker worker = take(spec);
    if (worker == null) {
      refuseRunning(spec);
      throw new DataflowException(
          ErrorCode.ALREADY_EXISTS, "Pipeline " + name + " was just started elsewhere");
    }
    try {
      store.state(name, PipelineState.RUNNING, null);
      RunRecord run = worker.runOnce();
      store.state(name, run.status(), run.error());
      return run;
    } finally {
      running.remove(name);
      worker.release();
    }
  }

  /**
   * Takes a pipeline's lease and starts it here; false when another worker's lease is live. A lease
   * taken over from a worker that stopped renewing it is fenced first: an empty commit with the new
   * epoch on each destination, after which the old worker's commits are refused.
   */
  private boolean claim(String name) {
    PipelineSpec spec = spec(name);
    Leases.Lease before = workers.leases().find(lease(spec));
    Worker worker = take(spec);
    if (worker == null) {
      return false;
    }
    try {
      if (!shared(spec) && before != null && before.expiresAt() > 0) {
        LOG.info(
            "Pipeline {}: taking over from {} (epoch {})", name, before.holder(), worker.epoch);
        store.failRunningRuns(name, "Its worker " + before.holder() + " stopped during the run");
        fence(spec, worker.fence());
      }
      threads.execute(worker::loop);
      return true;
    } catch (RuntimeException e) {
      running.remove(name, worker);
      worker.release();
      throw e;
    }
  }

  /** Takes a pipeline's lease and its place among those running here; null when either is held. */
  private Worker take(PipelineSpec spec) {
    String lease = lease(spec);
    long epoch = workers.leases().acquire(lease, workers.id(), Workers.LEASE);
    if (epoch < 0) {
      return null;
    }
    Worker worker = new Worker(spec, lease, epoch);
    if (running.putIfAbsent(spec.name(), worker) != null) {
      worker.release();
      return null;
    }
    return worker;
  }

  private void fence(PipelineSpec spec, Map<String, String> fence) {
    for (PipelineSpec.Destination destination : spec.destinations()) {
      Table table = sql.lake().tableOrNull(destination.table());
      if (table != null) {
        Offsets.commit(table.newAppend(), spec.name(), null, fence);
      }
    }
  }

  /**
   * One beat: renews this process's leases (a worker whose lease was lost stops at once, without a
   * word to the store); and when it runs pipelines, says it is alive, stops the pipelines stopped
   * elsewhere, and takes the pipelines nobody runs.
   */
  private void beat() {
    try {
      for (Worker worker : running.values()) {
        if (!workers.leases().renew(worker.lease, workers.id(), worker.epoch, Workers.LEASE)) {
          LOG.warn("Pipeline {}: lost its lease, stopping", worker.spec.name());
          worker.lose();
        }
      }
      if (!runs) {
        return;
      }
      workers.beat();
      Map<String, PipelineState> states = new HashMap<>();
      store.all().forEach(stored -> states.put(stored.name(), stored.state()));
      for (Worker worker : running.values()) {
        if (states.get(worker.spec.name()) != PipelineState.RUNNING) {
          worker.stop();
        }
      }
      states.forEach(
          (name, state) -> {
            if (state == PipelineState.RUNNING && !running.containsKey(name)) {
              claim(name);
            }
          });
    } catch (RuntimeException e) {
      // the metadata store unreachable: the next beat tries again
      LOG.warn("Pipeline leases: {}", e.getMessage());
    }
  }

  /**
   * Compacts the small data files of the pipeline's destinations now, while it runs or not
   * (continuous pipelines compact theirs between commits, see {@link Compactor}): a running
   * pipeline's commits wait for it. Returns the files rewritten.
   */
  public int compact(String name) {
    Worker worker = running.get(name);
    return (worker == null ? new Compactor(sql, spec(name)) : worker.compactor).now(2);
  }

  public Preview preview(String name, int limit) {
    if (limit < 1 || limit > 10_000) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "A preview takes 1 to 10000 rows, not " + limit);
    }
    PipelineSpec spec = spec(name);
    return ingest(spec, Map.of()).preview(limit);
  }

  public void delete(String name) {
    if (running.containsKey(name)) {
      stop(name);
    }
    PipelineSpec spec = spec(name);
    if (spec.origin() instanceof PipelineSpec.CdcOrigin) {
      Replication.drop(spec);
    }
    store.delete(name);
    // rows pushed but never committed go with the pipeline
    SpoolDirectory.delete(http.remove(name));
  }

  /**
   * Marks the runs no live worker holds as failed and, when this process runs pipelines, starts
   * beating: it takes the RUNNING pipelines nobody runs, those it ran before a restart too.
   */
  public void resume() {
    store.failAbandonedRuns();
    beat.scheduleWithFixedDelay(this::beat, 0, Workers.BEAT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private PipelineStore.Stored stored(String name) {
    PipelineStore.Stored stored = store.find(name);
    if (stored == null) {
      throw new DataflowException(ErrorCode.NOT_FOUND, "Pipeline " + name + " does not exist");
    }
    return stored;
  }

  /** A run of a pipeline over the reader of its origin type. */
  private IngestRun ingest(PipelineSpec spec, Map<String, String> fence) {
    if (spec.origin() instanceof PipelineSpec.FilesOrigin) {
      return new IngestRun(sql, spec, new FilesReader(sql.lake(), spec, spools()));
    }
    if (spec.origin() instanceof PipelineSpec.JdbcOrigin) {
      // the reader resumes from the offsets committed with the destination's data
      Table table = sql.lake().tableOrNull(spec.destinations().get(0).table());
      return new IngestRun(
          sql,
          spec,
          new JdbcReader(
              spec,
              key -> table == null ? null : Offsets.latest(table, spec.name(), key),
              spools()));
    }
    if (spec.origin() instanceof PipelineSpec.HttpOrigin) {
      return new IngestRun(sql, spec, new HttpReader(sql.lake(), spec, http.of(spec)));
    }
    if (spec.origin() instanceof PipelineSpec.CdcOrigin) {
      return new IngestRun(
          sql,
          spec,
          new CdcReader(
              spec,
              committed(spec),
              offsets -> emptyTables(spec, withFence(offsets, fence)),
              offsets -> commitOffsets(spec, withFence(offsets, fence))));
    }
    if (spec.origin() instanceof PipelineSpec.KafkaOrigin) {
      return new IngestRun(sql, spec, new KafkaReader(spec, committed(spec), spools()));
    }
    throw new DataflowException(
        ErrorCode.UNSUPPORTED,
        "Pipeline "
            + spec.name()
            + ": origin type "
            + spec.origin().getClass().getSimpleName()
            + " does not run yet");
  }

  private static Map<String, String> withFence(
      Map<String, String> offsets, Map<String, String> fence) {
    Map<String, String> both = new HashMap<>(offsets);
    both.putAll(fence);
    return both;
  }

  /** Where readers make their spool directories. */
  private Path spools() {
    return sql.dataDirectory().resolve("spool");
  }

  /**
   * An offset property of the pipeline's last commit to its first destination, or null; the table
   * is looked up at each call, as the first run creates it.
   */
  private Function<String, String> committed(PipelineSpec spec) {
    return key -> {
      Table table = sql.lake().tableOrNull(spec.destinations().get(0).table());
      return table == null ? null : Offsets.latest(table, spec.name(), key);
    };
  }

  /** Deletes every row of the pipeline's destinations, each in a commit carrying the offsets. */
  private void emptyTables(PipelineSpec spec, Map<String, String> offsets) {
    for (PipelineSpec.Destination destination : spec.destinations()) {
      Table table = sql.lake().tableOrNull(destination.table());
      if (table != null) {
        DeleteFiles delete = table.newDelete().deleteFromRowFilter(Expressions.alwaysTrue());
        commit(delete, spec, "emptied-", offsets);
      }
    }
  }

  /**
   * Commits offset properties alone (a source position that moved without a change) to the
   * pipeline's first destination, where they are read; false when it does not exist yet.
   */
  private boolean commitOffsets(PipelineSpec spec, Map<String, String> offsets) {
    Table table = sql.lake().tableOrNull(spec.destinations().get(0).table());
    if (table == null) {
      return false;
    }
    commit(table.newAppend(), spec, "position-", offsets);
    return true;
  }

  /**
   * Commits a change marked as a batch of the pipeline (a new id after the prefix) with offsets.
   */
  private static void commit(
      SnapshotUpdate<?> update, PipelineSpec spec, String batch, Map<String, String> offsets) {
    Offsets.commit(update, spec.name(), batch + UUID.randomUUID(), offsets);
  }

  /** The thread of one running pipeline. */
  private final class Worker {
    private final PipelineSpec spec;
    private final String lease;
    private final long epoch;
    private final Progress progress = new Progress();
    private final Compactor compactor;
    private final CountDownLatch stopSignal = new CountDownLatch(1);
    private final CountDownLatch ended = new CountDownLatch(1);
    private volatile boolean stopped;
    // the lease went to another worker: this one says nothing more to the store
    private volatile boolean lost;

    Worker(PipelineSpec spec, String lease, long epoch) {
      this.spec = spec;
      this.lease = lease;
      this.epoch = epoch;
      this.compactor = new Compactor(sql, spec);
    }

    void loop() {
      try {
        while (!stopped) {
          RunRecord run = runOnce();
          if (lost) {
            return;
          }
          if (run.status() == PipelineState.FAILED) {
            store.state(spec.name(), PipelineState.FAILED, run.error());
            return;
          }
          java.time.Duration pause =
              spec.mode() == PipelineSpec.Mode.CONTINUOUS
                  ? spec.commit().maxInterval()
                  : spec.schedule();
          if (pause == null) {
            store.state(spec.name(), PipelineState.FINISHED, null);
            return;
          }
          // no interrupts: a batch in the middle of a commit always finishes
          stopSignal.await(pause.toMillis(), TimeUnit.MILLISECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        running.remove(spec.name(), this);
        if (!lost) {
          release();
        }
        ended.countDown();
      }
    }

    RunRecord runOnce() {
      RunRecord run =
          new RunRecord(
              UUID.randomUUID().toString(),
              spec.name(),
              System.currentTimeMillis(),
              null,
              PipelineState.RUNNING,
              0,
              0,
              0,
              0,
              0,
              null,
              null);
      store.startRun(run);
      RunRecord result;
      try {
        result =
            ingest(spec, fence())
                .run(
                    run,
                    () -> stopped,
                    metrics.recorder(spec.name()).andThen(progress::add),
                    compactor,
                    fence());
        result = ended(result, stopped ? PipelineState.STOPPED : PipelineState.FINISHED, null);
      } catch (RuntimeException e) {
        String cause = e instanceof DataflowException d ? d.describe() : e.toString();
        LOG.warn("Pipeline {} failed: {}", spec.name(), cause);
        result = ended(run, PipelineState.FAILED, cause);
      }
      if (!lost) {
        store.updateRun(result);
      }
      return result;
    }

    private RunRecord ended(RunRecord run, PipelineState status, String error) {
      return new RunRecord(
          run.id(),
          run.pipeline(),
          run.startedAt(),
          System.currentTimeMillis(),
          status,
          run.rowsIn(),
          run.rowsOut(),
          run.rowsError(),
          run.bytes(),
          run.files(),
          run.snapshotId(),
          error);
    }

    void stop() {
      stopped = true;
      stopSignal.countDown();
    }

    void lose() {
      lost = true;
      stop();
    }

    void release() {
      workers.leases().release(lease, workers.id(), epoch);
    }

    /**
     * What this worker's commits carry so that a newer holder's refuse them; nothing for a shared
     * pipeline, whose workers commit side by side.
     */
    Map<String, String> fence() {
      return shared(spec) ? Map.of() : Map.of(Fencing.key(lease), String.valueOf(epoch));
    }

    void awaitEnd() {
      try {
        ended.await(1, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    // each worker ends after its current batch; the store and the lake must outlive that batch
    beat.shutdownNow();
    List<Worker> stopping = List.copyOf(running.values());
    stopping.forEach(Worker::stop);
    stopping.forEach(Worker::awaitEnd);
    threads.shutdown();
    if (runs) {
      try {
        workers.leave();
      } catch (DataflowException e) {
        // the store out of reach as the process stops: the worker's row ages out of the list
        LOG.warn("Could not record that this worker left: {}", e.getMessage());
      }
    }
    workers.close();
    store.close();
  }
}
