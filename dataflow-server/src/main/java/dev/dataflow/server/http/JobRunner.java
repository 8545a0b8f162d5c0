package dev.dataflow.server.http;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the API's statements on worker threads. A request waits until its statement has started (for
 * a query, until {@link SqlService#execute} returned) or failed — so errors found before it runs
 * answer the request directly — but never longer than {@link #START_WAIT}: a long aggregate or
 * CREATE TABLE answers with its job id while it runs. A query's result streams into its {@link
 * ResultFiles result file} while the client polls the job. At most {@link #MAX_RUNNING} statements
 * run at once: one more is refused rather than queued, so a flood of requests cannot pile up work.
 */
final class JobRunner implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(JobRunner.class);
  static final int MAX_RUNNING = 64;
  static final java.time.Duration START_WAIT = java.time.Duration.ofSeconds(1);

  private final SqlService sql;
  private final ResultFiles results;

  private final ThreadPoolExecutor workers;

  JobRunner(SqlService sql, ResultFiles results) {
    this.sql = sql;
    this.results = results;
    AtomicInteger count = new AtomicInteger();
    this.workers =
        new ThreadPoolExecutor(
            0,
            MAX_RUNNING,
            60,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            r -> {
              Thread thread = new Thread(r, "dataflow-job-" + count.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            });
  }

  /** Starts a statement and returns its job id once it runs; its errors until then are thrown. */
  String submit(String principal, String statement) {
    CompletableFuture<String> started = new CompletableFuture<>();
    String jobId = UUID.randomUUID().toString();
    try {
      workers.execute(() -> run(jobId, principal, statement, started));
    } catch (RejectedExecutionException e) {
      throw new DataflowException(
          ErrorCode.RESOURCE_EXHAUSTED,
          MAX_RUNNING + " statements are running already: wait for one to finish, or cancel one");
    }
    try {
      return started.get(START_WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      return jobId;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataflowException(ErrorCode.INTERNAL, "The server is stopping", e);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException cause
          ? cause
          : new DataflowException(
              ErrorCode.INTERNAL, "The statement failed: " + e.getCause(), e.getCause());
    }
  }

  private void run(
      String jobId, String principal, String statement, CompletableFuture<String> started) {
    Execution execution;
    try {
      execution = sql.execute(jobId, principal, statement, List.of());
    } catch (RuntimeException e) {
      started.completeExceptionally(e);
      return;
    }
    try {
      if (execution.hasResult()) {
        checkStorable(execution.schema());
      }
      started.complete(jobId);
      if (execution.hasResult()) {
        results.write(execution);
      }
    } catch (DataflowException e) {
      started.completeExceptionally(execution.fail(e));
    } catch (RuntimeException e) {
      LOG.warn("Job {} failed unexpectedly", jobId, e);
      started.completeExceptionally(
          execution.fail(new DataflowException(ErrorCode.INTERNAL, "The job failed: " + e, e)));
    } finally {
      // ends the job: COMPLETED, or FAILED/CANCELLED with the failure recorded above
      execution.close();
    }
  }

  /**
   * Result files do not keep Arrow dictionaries, so dictionary-encoded columns are refused early.
   */
  private static void checkStorable(Schema schema) {
    for (Field field : schema.getFields()) {
      if (!ArrowJson.isPlain(field)) {
        throw new DataflowException(
            ErrorCode.UNSUPPORTED,
            "Column "
                + field.getName()
                + " is an ENUM, which the REST API cannot return: cast it to VARCHAR");
      }
    }
  }

  /** Asks a running job to stop; false when no job of that id runs in this process. */
  boolean cancel(String jobId) {
    return sql.cancel(jobId);
  }

  @Override
  public void close() {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
        LOG.warn("Statements still running at shutdown are left to the SQL service to cancel");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
