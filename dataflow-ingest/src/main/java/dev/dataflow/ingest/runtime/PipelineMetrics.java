package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * The meters of every pipeline, tagged {@code pipeline} (and {@code stage} for stage rows). Under
 * Prometheus names they are {@code dataflow_pipeline_rows_in_total}, {@code …_rows_out_total},
 * {@code …_rows_error_total}, {@code …_bytes_total}, {@code …_batches_total}, {@code
 * dataflow_pipeline_stage_rows_total}, the gauges {@code
 * dataflow_pipeline_last_commit_timestamp_seconds}, {@code dataflow_pipeline_lag_seconds} and
 * {@code dataflow_pipeline_running}, and the timer {@code dataflow_pipeline_batch_seconds}. Change
 * streams (cdc) add the gauge {@code dataflow_pipeline_source_lag_seconds} (time since the newest
 * committed change was committed at the source) and the timer {@code
 * dataflow_pipeline_commit_latency_seconds} (source commit to lake commit, per batch, of its oldest
 * change). Counters count since the process started, as Prometheus expects. A pipeline's meters
 * appear with its first run in this process.
 *
 * <p>Thread-safe: every running pipeline records from its own worker thread.
 */
final class PipelineMetrics {
  private static final String PREFIX = "dataflow.pipeline.";

  private final MeterRegistry registry;
  private final Predicate<String> running;
  private final Map<String, Meters> pipelines = new ConcurrentHashMap<>();

  /** {@code running} tells whether a pipeline runs now; the gauges ask it when scraped. */
  PipelineMetrics(MeterRegistry registry, Predicate<String> running) {
    this.registry = requireNonNull(registry, "registry is null");
    this.running = requireNonNull(running, "running is null");
  }

  /**
   * A recorder for one run, to be called after each committed batch with the bytes it read. A
   * batch's time is measured from the end of the previous one (or the run's start), because the
   * origin reads, transforms and commits a batch back to back and calls only once it is committed.
   */
  BiConsumer<Batch, Long> recorder(String pipeline) {
    Meters meters = pipelines.computeIfAbsent(pipeline, this::register);
    long[] since = {System.nanoTime()};
    return (batch, bytes) -> {
      long now = System.nanoTime();
      meters.record(batch, bytes, now - since[0]);
      since[0] = now;
    };
  }

  private Meters register(String pipeline) {
    Meters meters = new Meters(registry, pipeline);
    Tags tags = Tags.of("pipeline", pipeline);
    Gauge.builder(PREFIX + "running", () -> running.test(pipeline) ? 1 : 0)
        .description("1 while the pipeline runs, else 0")
        .tags(tags)
        .register(registry);
    Gauge.builder(PREFIX + "last.commit.timestamp", meters::lastCommitSeconds)
        .description("When the pipeline last committed a batch, in seconds since the epoch")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder(PREFIX + "source.lag", meters::sourceLagSeconds)
        .description(
            "Seconds since the newest change in the lake was committed at the source (change"
                + " streams); NaN otherwise")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder(PREFIX + "lag", () -> running.test(pipeline) ? meters.lagSeconds() : Double.NaN)
        .description(
            "Seconds since the last commit (or the first run) while running; NaN otherwise")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    return meters;
  }

  /** One pipeline's meters and the time of its last commit. */
  private static final class Meters {
    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter rowsIn;
    private final Counter rowsOut;
    private final Counter rowsError;
    private final Counter bytes;
    private final Counter batches;
    private final Timer batchTime;
    private final long firstSeen = System.currentTimeMillis();
    private final Timer commitLatency;
    private volatile long lastCommit;
    private volatile long lastSourceTime;

    Meters(MeterRegistry registry, String pipeline) {
      this.registry = registry;
      this.tags = Tags.of("pipeline", pipeline);
      this.rowsIn = counter("rows.in", "Rows read");
      this.rowsOut = counter("rows.out", "Rows written");
      this.rowsError = counter("rows.error", "Rows sent to the error policy");
      this.bytes =
          Counter.builder(PREFIX + "bytes").description("Bytes read").tags(tags).register(registry);
      this.batches = counter("batches", "Batches committed");
      this.batchTime =
          Timer.builder(PREFIX + "batch")
              .description("Time to read, transform and commit a batch")
              .tags(tags)
              .register(registry);
      this.commitLatency =
          Timer.builder(PREFIX + "commit.latency")
              .description("Source commit to lake commit of each batch's oldest change")
              .publishPercentiles(0.5, 0.99)
              .tags(tags)
              .register(registry);
    }

    private Counter counter(String name, String description) {
      return Counter.builder(PREFIX + name).description(description).tags(tags).register(registry);
    }

    void record(Batch batch, long batchBytes, long nanos) {
      rowsIn.increment(batch.rowsIn());
      rowsOut.increment(batch.rowsOut());
      rowsError.increment(batch.rowsError());
      bytes.increment(batchBytes);
      batches.increment();
      batch.stageRows().forEach((stage, rows) -> stageRows(stage).increment(rows));
      batchTime.record(nanos, TimeUnit.NANOSECONDS);
      lastCommit = System.currentTimeMillis();
      if (batch.source() != null) {
        lastSourceTime = batch.source().newest();
        commitLatency.record(lastCommit - batch.source().oldest(), TimeUnit.MILLISECONDS);
      }
    }

    double sourceLagSeconds() {
      return lastSourceTime == 0
          ? Double.NaN
          : (System.currentTimeMillis() - lastSourceTime) / 1000.0;
    }

    /** Stages come and go with the definition, so their counters are looked up per batch. */
    private Counter stageRows(String stage) {
      return Counter.builder(PREFIX + "stage.rows")
          .description("Rows a stage produced")
          .tags(tags.and("stage", stage))
          .register(registry);
    }

    double lastCommitSeconds() {
      return lastCommit == 0 ? Double.NaN : lastCommit / 1000.0;
    }

    double lagSeconds() {
      return (System.currentTimeMillis() - (lastCommit == 0 ? firstSeen : lastCommit)) / 1000.0;
    }
  }
}
