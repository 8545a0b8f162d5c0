package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.SqlService;
import java.io.IOException;
import java.time.Clock;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Arrow Flight SQL endpoint (the official Flight SQL JDBC driver, ADBC, DBeaver). It listens on
 * the given host only, never the wildcard address, and authenticates every call through the one
 * {@link Authenticator}. Its root allocator is closed last in {@link #close()}, so a leaked buffer
 * fails loudly.
 */
public final class FlightSqlEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(FlightSqlEndpoint.class);

  private final BufferAllocator allocator;
  private final DataflowFlightSqlProducer producer;
  private final FlightServer server;

  private FlightSqlEndpoint(
      BufferAllocator allocator, DataflowFlightSqlProducer producer, FlightServer server) {
    this.allocator = allocator;
    this.producer = producer;
    this.server = server;
  }

  /** Starts listening on {@code host:port}; port 0 picks a free one (see {@link #port()}). */
  public static FlightSqlEndpoint start(SqlService sql, Authenticator auth, String host, int port) {
    requireNonNull(sql, "sql is null");
    requireNonNull(auth, "auth is null");
    requireNonNull(host, "host is null");
    if (port < 0 || port > 65535) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "The Flight SQL port must be 0-65535, not " + port);
    }
    BufferAllocator allocator = new RootAllocator();
    DataflowFlightSqlProducer producer =
        new DataflowFlightSqlProducer(sql, allocator, Clock.systemUTC());
    FlightServer server =
        FlightServer.builder(allocator, Location.forGrpcInsecure(host, port), producer)
            .headerAuthenticator(new HeaderAuthenticator(auth, Clock.systemUTC()))
            .build();
    try {
      server.start();
    } catch (IOException e) {
      stop(server, producer, allocator);
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "Cannot listen for Flight SQL on "
              + host
              + ":"
              + port
              + " ("
              + e.getMessage()
              + "): is the port in use?",
          e);
    }
    LOG.info("Flight SQL listening on {}:{}", host, server.getPort());
    return new FlightSqlEndpoint(allocator, producer, server);
  }

  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    stop(server, producer, allocator);
  }

  /**
   * Refuses new calls, stops running queries so their streams end, waits for calls in flight, and
   * closes what a call that was already starting may have left behind before the allocator.
   */
  private static void stop(
      FlightServer server, DataflowFlightSqlProducer producer, BufferAllocator allocator) {
    server.shutdown();
    producer.close();
    try {
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    producer.close();
    allocator.close();
  }
}
