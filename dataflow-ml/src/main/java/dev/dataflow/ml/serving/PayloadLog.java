package dev.dataflow.ml.serving;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.ml.ArrowWrites;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.FilledBatches;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests and predictions, sampled at a rate, appended to a lake table every interval as one
 * commit, for monitoring queries. Inference only queues a record (bounded: when the writer falls
 * behind, records are dropped and counted, never the request).
 */
public final class PayloadLog implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PayloadLog.class);
  private static final int QUEUE = 10_000;

  private final SqlService sql;
  private final DatasetPath table;
  private final double rate;
  private final BlockingQueue<Payload> queue = new ArrayBlockingQueue<>(QUEUE);
  private final AtomicLong dropped = new AtomicLong();
  private final ScheduledExecutorService writer;

  /** One logged inference. */
  record Payload(long time, String model, int version, String request, String response) {}

  public PayloadLog(SqlService sql, DatasetPath table, double rate, Duration interval) {
    this.sql = requireNonNull(sql, "sql is null");
    this.table = requireNonNull(table, "table is null");
    this.rate = rate;
    this.writer =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("model-payload-log"));
    long millis = interval.toMillis();
    writer.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
  }

  /** Queues the payload with probability {@code rate}; the strings are built only then. */
  void offer(String model, int version, Object request, Object response) {
    if (rate <= 0 || ThreadLocalRandom.current().nextDouble() >= rate) {
      return;
    }
    Payload payload =
        new Payload(
            System.currentTimeMillis(), model, version, request.toString(), response.toString());
    if (!queue.offer(payload)) {
      dropped.incrementAndGet();
    }
  }

  /** Writes what is queued now; returns the number of records written. */
  public synchronized int flush() {
    List<Payload> batch = new ArrayList<>();
    queue.drainTo(batch);
    if (!batch.isEmpty()) {
      ArrowWrites.write(sql, table, ArrowWrites.Mode.APPEND, allocator -> reader(allocator, batch));
    }
    return batch.size();
  }

  private void flushQuietly() {
    try {
      flush();
    } catch (RuntimeException e) {
      LOG.warn("Cannot write model payloads to {}: {}", table, e.getMessage());
    }
  }

  private static ArrowReader reader(BufferAllocator allocator, List<Payload> batch) {
    return new FilledBatches(allocator, PayloadSchema.SCHEMA) {
      private boolean done;

      @Override
      protected boolean fill(VectorSchemaRoot root) {
        if (done) {
          return false;
        }
        done = true;
        PayloadLog.fill(root, batch);
        return true;
      }
    };
  }

  private static void fill(VectorSchemaRoot root, List<Payload> batch) {
    root.allocateNew();
    BigIntVector time = (BigIntVector) root.getVector("ts_millis");
    VarCharVector model = (VarCharVector) root.getVector("model");
    IntVector version = (IntVector) root.getVector("version");
    VarCharVector request = (VarCharVector) root.getVector("request");
    VarCharVector response = (VarCharVector) root.getVector("response");
    for (int i = 0; i < batch.size(); i++) {
      Payload payload = batch.get(i);
      time.setSafe(i, payload.time());
      model.setSafe(i, payload.model().getBytes(StandardCharsets.UTF_8));
      version.setSafe(i, payload.version());
      request.setSafe(i, payload.request().getBytes(StandardCharsets.UTF_8));
      response.setSafe(i, payload.response().getBytes(StandardCharsets.UTF_8));
    }
    root.setRowCount(batch.size());
  }

  @Override
  public void close() {
    writer.shutdownNow();
    flushQuietly();
    if (dropped.get() > 0) {
      LOG.warn("{} model payloads were dropped: the log fell behind", dropped.get());
    }
  }
}
