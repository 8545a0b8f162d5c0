package dev.dataflow.server.flight;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.Execution;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Query results between GetFlightInfo, which starts the execution so its schema is known, and
 * DoGet, which streams it. Each result is read once and its execution closed when the stream ends,
 * fails or is cancelled; a result nobody fetches within {@link #UNCLAIMED} is cancelled.
 *
 * <p>Batches go out straight from the execution's own vectors: the execution already holds one
 * child allocator per statement (under the engine's root, so its buffers cannot be moved into
 * ours), and Flight serializes each batch before {@code putNext} returns, so nothing outlives the
 * execution.
 */
final class ResultStreams {
  static final Duration UNCLAIMED = Duration.ofMinutes(10);

  /** How long a stream waits for a client that stopped reading before it gives up. */
  static final Duration SLOW_CLIENT = Duration.ofMinutes(30);

  // short pauses: a batch waiting on a long pause is latency every query pays
  private static final long POLL_MIN_NANOS = 10_000;
  private static final long POLL_MAX_NANOS = 1_000_000;

  private final Map<ByteString, Result> results = new ConcurrentHashMap<>();

  /** One started query. Its state moves from waiting to streaming to done, once. */
  private static final class Result {
    private final String principal;
    private final Execution execution;
    private final long startedAt;
    // written under the lock, read without it
    private volatile boolean claimed;
    private volatile boolean done;
    private volatile boolean cancelled;

    Result(String principal, Execution execution, long startedAt) {
      this.principal = principal;
      this.execution = execution;
      this.startedAt = startedAt;
    }

    synchronized boolean claim() {
      if (claimed || done) {
        return false;
      }
      claimed = true;
      return true;
    }

    /** Stops the query; false when it had already finished. */
    synchronized boolean cancel(DataflowException reason) {
      if (done) {
        return false;
      }
      cancelled = true;
      execution.cancel(reason.code());
      if (!claimed) {
        finish(reason);
      }
      return true;
    }

    synchronized void finish(DataflowException failure) {
      if (!done) {
        done = true;
        if (failure != null) {
          execution.fail(failure);
        }
        execution.close();
      }
    }
  }

  /**
   * Keeps a started statement's result for DoGet and describes it. A statement without a result
   * (DDL or DML sent as a query) has already run: it is closed and reported with its update count.
   */
  FlightInfo start(String principal, FlightDescriptor descriptor, Execution execution, long now) {
    Schema schema;
    try {
      if (!execution.hasResult()) {
        long count = execution.updateCount();
        execution.close();
        return new FlightInfo(new Schema(List.of()), descriptor, List.of(), -1, count);
      }
      schema = execution.schema();
    } catch (RuntimeException e) {
      execution.close();
      throw e;
    }
    ByteString handle = ByteString.copyFromUtf8(UUID.randomUUID().toString());
    results.put(handle, new Result(principal, execution, now));
    return new FlightInfo(schema, descriptor, List.of(new FlightEndpoint(ticket(handle))), -1, -1);
  }

  /** Streams a kept result to the client that started it. */
  void stream(ByteString handle, String principal, ServerStreamListener listener) {
    Result result = results.get(handle);
    if (result == null || !result.principal.equals(principal) || !result.claim()) {
      listener.error(
          FlightErrors.of(
              ErrorCode.NOT_FOUND,
              "The result was already read, cancelled or has expired: run the statement again"));
      return;
    }
    try {
      send(result, listener);
    } finally {
      results.remove(handle);
    }
  }

  /** Streams an execution that was started for this call alone. */
  void streamNow(String principal, Execution execution, ServerStreamListener listener) {
    Result result = new Result(principal, execution, 0);
    result.claim();
    send(result, listener);
  }

  private void send(Result result, ServerStreamListener listener) {
    Execution execution = result.execution;
    DataflowException failure = null;
    try {
      if (!execution.hasResult()) {
        throw new DataflowException(ErrorCode.INVALID_ARGUMENT, "The statement returns no rows");
      }
      listener.start(execution.batch());
      while (execution.next()) {
        awaitClient(result, listener);
        listener.putNext();
      }
      if (result.cancelled) {
        throw cancelled();
      }
      listener.completed();
    } catch (RuntimeException e) {
      failure = result.cancelled || listener.isCancelled() ? cancelled() : asDataflow(e);
      listener.error(FlightErrors.of(failure));
    } finally {
      result.finish(failure);
    }
  }

  /**
   * Waits until the client can take another batch. This polls: gRPC delivers its ready and cancel
   * callbacks on the call's own serializing executor, which this blocking DoGet handler occupies,
   * so a callback-based wait (Flight's CallbackBackpressureStrategy) would never wake up.
   */
  private static void awaitClient(Result result, ServerStreamListener listener) {
    long deadline = System.nanoTime() + SLOW_CLIENT.toNanos();
    long pause = POLL_MIN_NANOS;
    while (!listener.isReady()) {
      if (result.cancelled || listener.isCancelled()) {
        throw cancelled();
      }
      if (System.nanoTime() > deadline) {
        throw new DataflowException(
            ErrorCode.TIMEOUT,
            "The client stopped reading the result for " + SLOW_CLIENT.toMinutes() + " minutes");
      }
      LockSupport.parkNanos(pause);
      pause = Math.min(pause * 2, POLL_MAX_NANOS);
    }
    if (result.cancelled || listener.isCancelled()) {
      throw cancelled();
    }
  }

  private static DataflowException cancelled() {
    return new DataflowException(ErrorCode.CANCELLED, "The query was cancelled");
  }

  private static DataflowException asDataflow(RuntimeException e) {
    return e instanceof DataflowException dataflow
        ? dataflow
        : new DataflowException(ErrorCode.INTERNAL, "Streaming the result failed: " + e, e);
  }

  /**
   * Cancels the results behind a FlightInfo's tickets; true when at least one was still running.
   */
  boolean cancel(FlightInfo info, String principal) {
    boolean any = false;
    for (FlightEndpoint endpoint : info.getEndpoints()) {
      ByteString handle = handle(endpoint.getTicket());
      Result result = handle == null ? null : results.get(handle);
      if (result != null && result.principal.equals(principal)) {
        any |= cancel(handle, result, cancelled());
      }
    }
    return any;
  }

  private boolean cancel(ByteString handle, Result result, DataflowException reason) {
    boolean stopped = result.cancel(reason);
    if (!result.claimed) {
      results.remove(handle);
    }
    return stopped;
  }

  /** Cancels results that no client fetched in time. */
  void expire(long now) {
    DataflowException reason =
        new DataflowException(
            ErrorCode.CANCELLED,
            "No client fetched the result within " + UNCLAIMED.toMinutes() + " minutes");
    results.forEach(
        (handle, result) -> {
          if (!result.claimed && now - result.startedAt > UNCLAIMED.toMillis()) {
            cancel(handle, result, reason);
          }
        });
  }

  /** Cancels every result, waiting or streaming; used when the endpoint stops. */
  void cancelAll() {
    DataflowException reason =
        new DataflowException(ErrorCode.CANCELLED, "The server is shutting down");
    results.forEach((handle, result) -> cancel(handle, result, reason));
  }

  static Ticket ticket(ByteString handle) {
    TicketStatementQuery ticket =
        TicketStatementQuery.newBuilder().setStatementHandle(handle).build();
    return new Ticket(Any.pack(ticket).toByteArray());
  }

  /** The result handle in a ticket this class issued, or null for any other ticket. */
  static ByteString handle(Ticket ticket) {
    try {
      Any any = Any.parseFrom(ticket.getBytes());
      return any.is(TicketStatementQuery.class)
          ? any.unpack(TicketStatementQuery.class).getStatementHandle()
          : null;
    } catch (InvalidProtocolBufferException e) {
      return null;
    }
  }
}
