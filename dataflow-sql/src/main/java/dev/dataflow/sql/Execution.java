package dev.dataflow.sql;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.plan.DatasetRead;
import dev.dataflow.sql.write.EngineErrors;
import java.io.IOException;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * One running statement. A query streams its result as Arrow batches ({@link #next()}, {@link
 * #batch()}); any other statement has only an {@link #updateCount()}. {@link #cancel} may be called
 * from another thread; {@link #close()} ends the job and must always be called.
 */
public final class Execution implements AutoCloseable {
  private final String jobId;
  private final DuckDBConnection connection;
  private final java.sql.Statement statement;
  private final BufferAllocator allocator;
  private final Consumer<Execution> onClose;
  private ArrowReader reader;
  private long updateCount;
  private List<DatasetRead> reads = List.of();
  private long rows;
  private long bytes;
  private volatile ErrorCode stopReason;
  private DataflowException failure;
  private volatile boolean closed;
  private java.util.concurrent.Future<?> timeout;
  private volatile Admission.Ticket ticket;
  private Warehouse.Held held = Warehouse.Held.NOTHING;

  Execution(
      String jobId,
      DuckDBConnection connection,
      java.sql.Statement statement,
      BufferAllocator allocator,
      Consumer<Execution> onClose) {
    this.jobId = jobId;
    this.connection = connection;
    this.statement = statement;
    this.allocator = allocator;
    this.onClose = onClose;
  }

  void result(ArrowReader reader, List<DatasetRead> reads) {
    this.reader = reader;
    this.reads = List.copyOf(reads);
  }

  void updated(long count, List<DatasetRead> reads) {
    this.updateCount = count;
    this.reads = List.copyOf(reads);
  }

  void timeout(java.util.concurrent.Future<?> timeout) {
    this.timeout = timeout;
  }

  /** The data files the statement reads, kept local until it closes. */
  synchronized void hold(Warehouse.Held held) {
    this.held.close();
    this.held = held;
  }

  void ticket(Admission.Ticket ticket) {
    this.ticket = ticket;
  }

  /** The statement's slot or place in the admission queue; null before it was planned. */
  Admission.Ticket ticket() {
    return ticket;
  }

  DuckDBConnection connection() {
    return connection;
  }

  java.sql.Statement statement() {
    return statement;
  }

  BufferAllocator allocator() {
    return allocator;
  }

  public String jobId() {
    return jobId;
  }

  public boolean hasResult() {
    return reader != null;
  }

  public long updateCount() {
    return updateCount;
  }

  public List<DatasetRead> reads() {
    return reads;
  }

  public Schema schema() {
    try {
      return reader.getVectorSchemaRoot().getSchema();
    } catch (IOException e) {
      throw fail(new DataflowException(ErrorCode.INTERNAL, "Cannot read result schema", e));
    }
  }

  /** Loads the next batch into {@link #batch()}; false at the end of the result. */
  public boolean next() {
    if (reader == null) {
      return false;
    }
    if (stopReason != null) {
      throw fail(stopped(new IllegalStateException("stopped")));
    }
    try {
      if (!reader.loadNextBatch()) {
        return false;
      }
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      rows += root.getRowCount();
      root.getFieldVectors().forEach(v -> bytes += v.getBufferSize());
      return true;
    } catch (IOException | RuntimeException e) {
      throw fail(stopped(e));
    }
  }

  public VectorSchemaRoot batch() {
    try {
      return reader.getVectorSchemaRoot();
    } catch (IOException e) {
      throw fail(new DataflowException(ErrorCode.INTERNAL, "Cannot read result", e));
    }
  }

  public long rows() {
    return hasResult() ? rows : updateCount;
  }

  public long bytes() {
    return bytes;
  }

  /** Stops the statement; {@code reason} is CANCELLED or TIMEOUT. */
  public void cancel(ErrorCode reason) {
    if (closed) {
      return;
    }
    stopReason = reason;
    try {
      statement.cancel();
    } catch (SQLException e) {
      // already finished: nothing to stop
    }
  }

  boolean isClosed() {
    return closed;
  }

  ErrorCode stopReason() {
    return stopReason;
  }

  DataflowException failure() {
    return failure;
  }

  /** Records that the consumer gave up with an error (a client that went away, say). */
  public DataflowException fail(DataflowException error) {
    if (failure == null) {
      failure = error;
    }
    return error;
  }

  DataflowException stopped(Exception e) {
    if (stopReason == ErrorCode.TIMEOUT) {
      return new DataflowException(ErrorCode.TIMEOUT, "The statement ran past its time limit", e);
    }
    if (stopReason == ErrorCode.CANCELLED) {
      return new DataflowException(ErrorCode.CANCELLED, "The statement was cancelled", e);
    }
    Throwable cause = e;
    while (cause.getCause() != null && !(cause instanceof SQLException)) {
      cause = cause.getCause();
    }
    return cause instanceof SQLException sql
        ? EngineErrors.translate(sql)
        : new DataflowException(ErrorCode.INTERNAL, "The query failed: " + e.getMessage(), e);
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (timeout != null) {
      timeout.cancel(false);
    }
    try {
      if (reader != null) {
        reader.close();
      }
      statement.close();
      connection.close();
    } catch (IOException | SQLException e) {
      // the job's outcome is already known; a failed close loses nothing
    } finally {
      held.close();
      allocator.close();
      onClose.accept(this);
    }
  }
}
