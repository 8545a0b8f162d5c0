package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.CloseSessionRequest;
import org.apache.arrow.flight.CloseSessionResult;
import org.apache.arrow.flight.Criteria;
import org.apache.arrow.flight.FlightDescriptor;
import org.apache.arrow.flight.FlightEndpoint;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.PutResult;
import org.apache.arrow.flight.Result;
import org.apache.arrow.flight.SchemaResult;
import org.apache.arrow.flight.Ticket;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionClosePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementRequest;
import org.apache.arrow.flight.sql.impl.FlightSql.ActionCreatePreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetCatalogs;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetCrossReference;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetDbSchemas;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetExportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetImportedKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetPrimaryKeys;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetSqlInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTableTypes;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetTables;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandGetXdbcTypeInfo;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandPreparedStatementUpdate;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementQuery;
import org.apache.arrow.flight.sql.impl.FlightSql.CommandStatementUpdate;
import org.apache.arrow.flight.sql.impl.FlightSql.DoPutPreparedStatementResult;
import org.apache.arrow.flight.sql.impl.FlightSql.DoPutUpdateResult;
import org.apache.arrow.flight.sql.impl.FlightSql.TicketStatementQuery;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Dataflow's Flight SQL service. Every statement runs through {@link SqlService} as the caller's
 * principal. A query starts in GetFlightInfo, so its schema is known, and streams in DoGet; DDL and
 * DML run once, when executed, never when prepared. Errors reach the client as Flight errors with
 * the Dataflow message (see {@link FlightErrors}); the server keeps serving.
 *
 * <p>Threading: Flight calls any method from its own threads; prepared statements and results live
 * in concurrent registries and a result is streamed by one call only.
 */
final class DataflowFlightSqlProducer implements FlightSqlProducer {
  private final SqlService sql;
  private final BufferAllocator allocator;
  private final Clock clock;
  private final StatementDescriber describer;
  private final CatalogMetadata catalog;
  private final ServerInfo info;
  private final PreparedStatements prepared = new PreparedStatements();
  private final ResultStreams results = new ResultStreams();
  private final ScheduledExecutorService sweeper =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("flight-sql-sweeper"));

  DataflowFlightSqlProducer(SqlService sql, BufferAllocator allocator, Clock clock) {
    this.sql = requireNonNull(sql, "sql is null");
    this.allocator = requireNonNull(allocator, "allocator is null");
    this.clock = requireNonNull(clock, "clock is null");
    this.describer = new StatementDescriber(sql.engine(), sql.planner(), sql.lake().warehouse());
    this.catalog = new CatalogMetadata(sql.lake());
    this.info = new ServerInfo(sql.engine().config().statementTimeout());
    sweeper.scheduleWithFixedDelay(this::sweep, 1, 1, TimeUnit.MINUTES);
  }

  private void sweep() {
    long now = clock.millis();
    results.expire(now);
    prepared.expire(now);
  }

  // ---- statements

  @Override
  public FlightInfo getFlightInfoStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    String principal = principal(context);
    return call(
        () ->
            results.start(
                principal,
                descriptor,
                execute(context, principal, command.getQuery(), List.of()),
                clock.millis()));
  }

  @Override
  public SchemaResult getSchemaStatement(
      CommandStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    principal(context); // a schema is data too: only a signed-in caller learns it
    return call(() -> new SchemaResult(describer.describe(command.getQuery()).resultSchema()));
  }

  @Override
  public void getStreamStatement(
      TicketStatementQuery ticket, CallContext context, ServerStreamListener listener) {
    results.stream(ticket.getStatementHandle(), principal(context), listener);
  }

  @Override
  public Runnable acceptPutStatement(
      CommandStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    String principal = principal(context);
    return () ->
        respond(ack, () -> updated(runUpdate(context, principal, command.getQuery(), List.of())));
  }

  /** Runs DDL or DML once and closes it; a query is refused before it runs. */
  private long runUpdate(
      CallContext context, String principal, String text, List<Object> parameters) {
    if (isQuery(text)) {
      throw returnsRows();
    }
    try (Execution execution = execute(context, principal, text, parameters)) {
      return execution.updateCount();
    }
  }

  /**
   * Starts a statement as its caller's job. While it plans, waits in the queue or runs inside this
   * call, a client that gives up (a call deadline, a closed channel) cancels the job; once the call
   * has returned, the result's own cancel takes over. (The Flight SQL JDBC driver 18.3 ends
   * neither: its cancel() waits for executeQuery, and its query timeout sets no deadline.)
   */
  private Execution execute(
      CallContext context, String principal, String text, List<Object> parameters) {
    String jobId = UUID.randomUUID().toString();
    ScheduledFuture<?> watch =
        sweeper.scheduleWithFixedDelay(
            () -> {
              if (context.isCancelled()) {
                sql.cancel(jobId);
              }
            },
            100,
            100,
            TimeUnit.MILLISECONDS);
    try {
      return sql.execute(jobId, principal, text, parameters);
    } finally {
      watch.cancel(false);
    }
  }

  /**
   * Whether the statement is a query; one SqlService refuses counts as not, so it is refused there.
   */
  private static boolean isQuery(String text) {
    try {
      return StatementParser.parse(text) instanceof Statement.Query;
    } catch (DataflowException e) {
      return false;
    }
  }

  private static DataflowException returnsRows() {
    return new DataflowException(
        ErrorCode.INVALID_ARGUMENT,
        "The statement is a query and returns rows: run it with executeQuery");
  }

  // ---- prepared statements

  @Override
  public void createPreparedStatement(
      ActionCreatePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    String principal = principal(context);
    try {
      StatementShape shape = describer.describe(request.getQuery());
      ByteString handle = prepared.add(principal, request.getQuery(), shape, clock.millis());
      ActionCreatePreparedStatementResult result =
          ActionCreatePreparedStatementResult.newBuilder()
              .setPreparedStatementHandle(handle)
              .setDatasetSchema(
                  ByteString.copyFrom(CatalogMetadata.serialize(shape.resultSchema())))
              .setParameterSchema(
                  ByteString.copyFrom(CatalogMetadata.serialize(shape.parameterSchema())))
              .build();
      listener.onNext(new Result(Any.pack(result).toByteArray()));
      listener.onCompleted();
    } catch (RuntimeException e) {
      listener.onError(FlightErrors.of(e));
    }
  }

  @Override
  public void closePreparedStatement(
      ActionClosePreparedStatementRequest request,
      CallContext context,
      StreamListener<Result> listener) {
    prepared.remove(request.getPreparedStatementHandle(), principal(context));
    listener.onCompleted();
  }

  @Override
  public FlightInfo getFlightInfoPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    String principal = principal(context);
    return call(
        () -> {
          PreparedStatements.Prepared statement =
              find(command.getPreparedStatementHandle(), principal);
          Execution execution =
              execute(context, principal, statement.sql(), statement.parameters());
          return results.start(principal, descriptor, execution, clock.millis());
        });
  }

  @Override
  public SchemaResult getSchemaPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, FlightDescriptor descriptor) {
    String principal = principal(context);
    return call(
        () ->
            new SchemaResult(
                find(command.getPreparedStatementHandle(), principal).shape().resultSchema()));
  }

  /** DoGet on the command itself (we hand out statement tickets, but the protocol allows it). */
  @Override
  public void getStreamPreparedStatement(
      CommandPreparedStatementQuery command, CallContext context, ServerStreamListener listener) {
    String principal = principal(context);
    Execution execution;
    try {
      PreparedStatements.Prepared statement = find(command.getPreparedStatementHandle(), principal);
      execution = execute(context, principal, statement.sql(), statement.parameters());
    } catch (RuntimeException e) {
      listener.error(FlightErrors.of(e));
      return;
    }
    results.streamNow(principal, execution, listener);
  }

  @Override
  public Runnable acceptPutPreparedStatementQuery(
      CommandPreparedStatementQuery command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    String principal = principal(context);
    ByteString handle = command.getPreparedStatementHandle();
    return () -> respond(ack, () -> bind(find(handle, principal), stream, handle));
  }

  /** Keeps the bound row for the next execution; the handle stays the same. */
  private byte[] bind(
      PreparedStatements.Prepared statement, FlightStream stream, ByteString handle) {
    List<List<Object>> rows = Parameters.read(stream, statement.shape());
    if (rows.size() > 1) {
      throw new DataflowException(
          ErrorCode.UNSUPPORTED,
          "A query takes one row of parameters; " + rows.size() + " were bound");
    }
    statement.bind(rows.isEmpty() ? List.of() : rows.get(0));
    return DoPutPreparedStatementResult.newBuilder()
        .setPreparedStatementHandle(handle)
        .build()
        .toByteArray();
  }

  @Override
  public Runnable acceptPutPreparedStatementUpdate(
      CommandPreparedStatementUpdate command,
      CallContext context,
      FlightStream stream,
      StreamListener<PutResult> ack) {
    String principal = principal(context);
    ByteString handle = command.getPreparedStatementHandle();
    return () ->
        respond(ack, () -> updated(update(context, find(handle, principal), stream, principal)));
  }

  /** Runs the statement once, or once per bound row (a JDBC batch). */
  private long update(
      CallContext context,
      PreparedStatements.Prepared statement,
      FlightStream stream,
      String principal) {
    if (statement.shape().query()) {
      throw returnsRows();
    }
    List<List<Object>> rows = Parameters.read(stream, statement.shape());
    if (rows.isEmpty()) {
      return runUpdate(context, principal, statement.sql(), List.of());
    }
    long count = 0;
    for (List<Object> row : rows) {
      count += runUpdate(context, principal, statement.sql(), row);
    }
    return count;
  }

  private PreparedStatements.Prepared find(ByteString handle, String principal) {
    return prepared.find(handle, principal, clock.millis());
  }

  private static byte[] updated(long count) {
    return DoPutUpdateResult.newBuilder().setRecordCount(count).build().toByteArray();
  }

  private void respond(StreamListener<PutResult> ack, Supplier<byte[]> body) {
    try {
      byte[] bytes = body.get();
      // Flight copies the metadata out before onNext returns
      try (ArrowBuf buffer = allocator.buffer(bytes.length)) {
        buffer.writeBytes(bytes);
        ack.onNext(PutResult.metadata(buffer));
      }
      ack.onCompleted();
    } catch (RuntimeException e) {
      ack.onError(FlightErrors.of(e));
    }
  }

  // ---- cancel and sessions

  @Override
  public void cancelFlightInfo(
      CancelFlightInfoRequest request, CallContext context, StreamListener<CancelStatus> listener) {
    boolean cancelled = results.cancel(request.getInfo(), principal(context));
    listener.onNext(cancelled ? CancelStatus.CANCELLED : CancelStatus.NOT_CANCELLABLE);
    listener.onCompleted();
  }

  /** Nothing lives in a session here; the JDBC driver closes one when a catalog was set. */
  @Override
  public void closeSession(
      CloseSessionRequest request,
      CallContext context,
      StreamListener<CloseSessionResult> listener) {
    listener.onNext(new CloseSessionResult(CloseSessionResult.Status.CLOSED));
    listener.onCompleted();
  }

  // ---- metadata

  @Override
  public FlightInfo getFlightInfoSqlInfo(
      CommandGetSqlInfo command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_SQL_INFO_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamSqlInfo(
      CommandGetSqlInfo command, CallContext context, ServerStreamListener listener) {
    info.sqlInfo(command, listener);
  }

  @Override
  public FlightInfo getFlightInfoTypeInfo(
      CommandGetXdbcTypeInfo command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_TYPE_INFO_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamTypeInfo(
      CommandGetXdbcTypeInfo command, CallContext context, ServerStreamListener listener) {
    info.typeInfo(command, allocator, listener);
  }

  @Override
  public FlightInfo getFlightInfoCatalogs(
      CommandGetCatalogs command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_CATALOGS_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamCatalogs(CallContext context, ServerStreamListener listener) {
    catalog.catalogs(allocator, listener);
  }

  @Override
  public FlightInfo getFlightInfoSchemas(
      CommandGetDbSchemas command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_SCHEMAS_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamSchemas(
      CommandGetDbSchemas command, CallContext context, ServerStreamListener listener) {
    stream(listener, () -> catalog.schemas(command, allocator, listener));
  }

  @Override
  public FlightInfo getFlightInfoTables(
      CommandGetTables command, CallContext context, FlightDescriptor descriptor) {
    Schema schema =
        command.getIncludeSchema()
            ? Schemas.GET_TABLES_SCHEMA
            : Schemas.GET_TABLES_SCHEMA_NO_SCHEMA;
    return metadata(schema, descriptor, command);
  }

  @Override
  public void getStreamTables(
      CommandGetTables command, CallContext context, ServerStreamListener listener) {
    stream(listener, () -> catalog.tables(command, allocator, listener));
  }

  @Override
  public FlightInfo getFlightInfoTableTypes(
      CommandGetTableTypes command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_TABLE_TYPES_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamTableTypes(CallContext context, ServerStreamListener listener) {
    catalog.tableTypes(allocator, listener);
  }

  // lake tables have no keys: the key commands answer empty results of the right shape

  @Override
  public FlightInfo getFlightInfoPrimaryKeys(
      CommandGetPrimaryKeys command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_PRIMARY_KEYS_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamPrimaryKeys(
      CommandGetPrimaryKeys command, CallContext context, ServerStreamListener listener) {
    SmallResults.empty(allocator, Schemas.GET_PRIMARY_KEYS_SCHEMA, listener);
  }

  @Override
  public FlightInfo getFlightInfoExportedKeys(
      CommandGetExportedKeys command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_EXPORTED_KEYS_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamExportedKeys(
      CommandGetExportedKeys command, CallContext context, ServerStreamListener listener) {
    SmallResults.empty(allocator, Schemas.GET_EXPORTED_KEYS_SCHEMA, listener);
  }

  @Override
  public FlightInfo getFlightInfoImportedKeys(
      CommandGetImportedKeys command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_IMPORTED_KEYS_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamImportedKeys(
      CommandGetImportedKeys command, CallContext context, ServerStreamListener listener) {
    SmallResults.empty(allocator, Schemas.GET_IMPORTED_KEYS_SCHEMA, listener);
  }

  @Override
  public FlightInfo getFlightInfoCrossReference(
      CommandGetCrossReference command, CallContext context, FlightDescriptor descriptor) {
    return metadata(Schemas.GET_CROSS_REFERENCE_SCHEMA, descriptor, command);
  }

  @Override
  public void getStreamCrossReference(
      CommandGetCrossReference command, CallContext context, ServerStreamListener listener) {
    SmallResults.empty(allocator, Schemas.GET_CROSS_REFERENCE_SCHEMA, listener);
  }

  /** Metadata is computed in DoGet; the ticket is the command itself. */
  private static FlightInfo metadata(Schema schema, FlightDescriptor descriptor, Message command) {
    Ticket ticket = new Ticket(Any.pack(command).toByteArray());
    return new FlightInfo(schema, descriptor, List.of(new FlightEndpoint(ticket)), -1, -1);
  }

  private static void stream(ServerStreamListener listener, Runnable body) {
    try {
      body.run();
    } catch (RuntimeException e) {
      listener.error(FlightErrors.of(e));
    }
  }

  /** Flight SQL clients never list flights: a flight exists only as the answer to a command. */
  @Override
  public void listFlights(
      CallContext context, Criteria criteria, StreamListener<FlightInfo> listener) {
    listener.onCompleted();
  }

  // ---- plumbing

  private static String principal(CallContext context) {
    String principal = context.peerIdentity();
    if (principal == null || principal.isEmpty()) {
      throw CallStatus.UNAUTHENTICATED
          .withDescription("Sign in with user and password")
          .toRuntimeException();
    }
    return principal;
  }

  private static <T> T call(Supplier<T> body) {
    try {
      return body.get();
    } catch (RuntimeException e) {
      throw FlightErrors.of(e);
    }
  }

  /** Stops every running result and forgets prepared statements; safe to call more than once. */
  @Override
  public void close() {
    sweeper.shutdownNow();
    results.cancelAll();
    prepared.clear();
  }
}
