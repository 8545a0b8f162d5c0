package dev.dataflow.ingest.cdc;

import dev.dataflow.api.DaemonThreads;
import io.debezium.embedded.Connect;
import io.debezium.engine.DebeziumEngine;
import io.debezium.engine.RecordChangeEvent;
import io.debezium.engine.format.ChangeEventFormat;
import java.io.IOException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.connect.source.SourceRecord;

/**
 * A running Debezium engine that hands its change batches to the pipeline one at a time. The
 * engine's thread waits in {@link #handleBatch} until the pipeline says the batch is committed to
 * the lake ({@link Delivery#acknowledge}); only then are its records marked processed, so Debezium
 * confirms their position to the source (PostgreSQL's slot advances) after, never before, the lake
 * holds them. A batch that is not acknowledged is never confirmed: the next run reads it again from
 * the offsets committed in the lake.
 *
 * <p>Threading: the engine calls {@link #handleBatch} from its own thread; {@link #take}, {@link
 * Delivery#acknowledge} and {@link #close} come from the pipeline's thread.
 */
final class ChangeStream
    implements DebeziumEngine.ChangeConsumer<RecordChangeEvent<SourceRecord>>, AutoCloseable {
  /** One batch of changes and whether the pipeline committed it. */
  record Delivery(List<SourceRecord> records, CompletableFuture<Boolean> committed) {
    void acknowledge(boolean done) {
      committed.complete(done);
    }
  }

  private final BlockingQueue<Delivery> deliveries = new ArrayBlockingQueue<>(1);
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(DaemonThreads.named("cdc-engine"));
  private final DebeziumEngine<RecordChangeEvent<SourceRecord>> engine;
  private volatile boolean closed;
  private volatile String failure;
  private volatile boolean ended;
  private volatile long pollingSince;

  ChangeStream(Properties properties) {
    this.engine =
        DebeziumEngine.create(ChangeEventFormat.of(Connect.class))
            .using(properties)
            .notifying(this)
            .using(
                (success, message, error) -> {
                  if (!success && !closed) {
                    failure = error == null ? message : message + ": " + error;
                  }
                  ended = true;
                })
            .using(
                new DebeziumEngine.ConnectorCallback() {
                  @Override
                  public void pollingStarted() {
                    pollingSince = System.currentTimeMillis();
                  }
                })
            .build();
    thread.execute(engine);
  }

  @Override
  public void handleBatch(
      List<RecordChangeEvent<SourceRecord>> events,
      DebeziumEngine.RecordCommitter<RecordChangeEvent<SourceRecord>> committer)
      throws InterruptedException {
    if (events.isEmpty()) {
      return;
    }
    List<SourceRecord> records = events.stream().map(RecordChangeEvent::record).toList();
    Delivery delivery = new Delivery(records, new CompletableFuture<>());
    while (!closed && !deliveries.offer(delivery, 100, TimeUnit.MILLISECONDS)) {
      // waits for the pipeline to take the previous batch
    }
    if (!committed(delivery)) {
      return;
    }
    for (RecordChangeEvent<SourceRecord> event : events) {
      committer.markProcessed(event);
    }
    committer.markBatchFinished();
  }

  /** Waits for the pipeline's answer; once closed, a batch not acknowledged counts as not done. */
  private boolean committed(Delivery delivery) throws InterruptedException {
    while (true) {
      try {
        return delivery.committed().get(100, TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        if (closed) {
          return delivery.committed().getNow(false);
        }
      } catch (ExecutionException e) {
        return false;
      }
    }
  }

  /** The next batch, or null when none came within {@code millis}. */
  Delivery take(long millis) throws InterruptedException {
    return deliveries.poll(millis, TimeUnit.MILLISECONDS);
  }

  /**
   * When the engine began handing over changes (ms since the epoch), 0 while it is still starting:
   * connecting and creating the slot is not time without changes.
   */
  long pollingSince() {
    return pollingSince;
  }

  /** Why the engine stopped on its own (it cannot connect, the slot is taken…), or null. */
  String failure() {
    return failure != null ? failure : ended && !closed ? "the change stream ended" : null;
  }

  /** Stops the engine; a batch not acknowledged by now is not confirmed to the source. */
  @Override
  public void close() {
    closed = true;
    try {
      engine.close();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      thread.shutdown();
    }
    try {
      thread.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
