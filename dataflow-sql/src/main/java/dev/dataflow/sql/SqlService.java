package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.catalog.Views;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import dev.dataflow.sql.jobs.JobStore;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import dev.dataflow.sql.plan.DatasetRead;
import dev.dataflow.sql.plan.PlannedQuery;
import dev.dataflow.sql.plan.QueryPlanner;
import dev.dataflow.sql.write.EngineErrors;
import dev.dataflow.sql.write.TableWriter;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.iceberg.Table;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBResultSet;

/**
 * The SQL entry point every access path shares: parses, checks and plans a statement, runs it on
 * the engine, and records it as a job (principal, SQL, status, times, rows, bytes, error,
 * datasets).
 */
public final class SqlService implements AutoCloseable {
  private static final int BATCH_ROWS = 64 * 1024;

  private final Lake lake;
  private final Engine engine;
  private final QueryPlanner planner;
  private final TableWriter writer;
  private final Views views;
  private final JobStore jobs;
  private final Admission admission;
  private final Map<String, Execution> running = new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("statement-timeout"));

  public SqlService(Lake lake, EngineConfig config) {
    this.lake = requireNonNull(lake, "lake is null");
    this.admission = new Admission(config.admission());
    this.engine = new Engine(config, lake.warehouse().localRoots());
    this.planner = new QueryPlanner(engine, lake);
    this.writer = new TableWriter(lake);
    this.views = new Views(lake, engine, planner);
    this.jobs = new JobStore(lake);
    jobs.failAbandoned();
  }

  public Lake lake() {
    return lake;
  }

  public Engine engine() {
    return engine;
  }

  /** The planner every statement goes through (shared, so its scan cache is too). */
  public QueryPlanner planner() {
    return planner;
  }

  public Views views() {
    return views;
  }

  public JobStore jobs() {
    return jobs;
  }

  /** The queue statements wait in for a slot, for its figures. */
  public Admission admission() {
    return admission;
  }

  /** A queued job's place in the queue, from 1; 0 when it is not waiting here. */
  public int queuePlace(String jobId) {
    Execution execution = running.get(jobId);
    Admission.Ticket ticket = execution == null ? null : execution.ticket();
    return ticket == null ? 0 : admission.place(ticket);
  }

  public TableWriter writer() {
    return writer;
  }

  /** The local data directory: result pages, spill and spool files live under it. */
  public Path dataDirectory() {
    return lake.config().dataDir();
  }

  /** Runs a statement without parameters; see {@link #execute(String, String, List)}. */
  public Execution execute(String principal, String sql) {
    return execute(principal, sql, List.of());
  }

  /**
   * Runs one statement as {@code principal}. A query's result streams from the returned execution;
   * closing it ends the job. Errors are thrown as {@link DataflowException} after the job is
   * recorded as failed.
   */
  public Execution execute(String principal, String sql, List<Object> parameters) {
    return execute(UUID.randomUUID().toString(), principal, sql, parameters);
  }

  /**
   * Runs one statement under a job id the caller chose, so that it can answer with the id (and
   * cancel by it) while a long statement is still inside this call.
   */
  public Execution execute(String jobId, String principal, String sql, List<Object> parameters) {
    requireNonNull(jobId, "jobId is null");
    requireNonNull(principal, "principal is null");
    requireNonNull(sql, "sql is null");
    // before anything parses or stores it: a statement past the limit is not taken at all
    engine.config().limits().checkLength(sql);
    long startedAt = System.currentTimeMillis();
    DuckDBConnection connection = engine.connect();
    Execution execution;
    try {
      execution =
          new Execution(
              jobId,
              connection,
              connection.createStatement(),
              engine.allocator().newChildAllocator(jobId, 0, Long.MAX_VALUE),
              done -> finish(done, principal, sql, startedAt));
    } catch (SQLException e) {
      try {
        connection.close();
      } catch (SQLException closing) {
        e.addSuppressed(closing);
      }
      throw EngineErrors.translate(e);
    }
    // cancellable before anyone can see the job running: a cancel that finds the job must find this
    running.put(jobId, execution);
    try {
      jobs.insert(JobRecord.unfinished(jobId, principal, sql, JobStatus.RUNNING, startedAt));
      execution.timeout(scheduleTimeout(execution));
      run(execution, principal, StatementParser.parse(sql), parameters);
      return execution;
    } catch (RuntimeException e) {
      DataflowException error = e instanceof DataflowException d ? d : execution.stopped(e);
      execution.fail(error);
      execution.close();
      throw error;
    }
  }

  private ScheduledFuture<?> scheduleTimeout(Execution execution) {
    long millis = engine.config().statementTimeout().toMillis();
    if (millis <= 0) {
      return null;
    }
    return timer.schedule(
        () -> stopUntilClosed(execution, ErrorCode.TIMEOUT), millis, TimeUnit.MILLISECONDS);
  }

  /** Cancels a running job; false when it is not running here. */
  public boolean cancel(String jobId) {
    Execution execution = running.get(jobId);
    if (execution == null) {
      return false;
    }
    stopUntilClosed(execution, ErrorCode.CANCELLED);
    return true;
  }

  /**
   * Interrupts an execution, and again every 100 ms until it has ended: an interrupt that lands
   * before the engine has started the statement (while it is still being planned) stops nothing.
   */
  private void stopUntilClosed(Execution execution, ErrorCode reason) {
    AtomicReference<ScheduledFuture<?>> repeat = new AtomicReference<>();
    Runnable stop =
        () -> {
          if (execution.isClosed()) {
            ScheduledFuture<?> future = repeat.get();
            if (future != null) {
              future.cancel(false);
            }
          } else {
            execution.cancel(reason);
          }
        };
    repeat.set(timer.scheduleAtFixedRate(stop, 0, 100, TimeUnit.MILLISECONDS));
  }

  private void run(
      Execution execution, String principal, Statement statement, List<Object> parameters) {
    if (!parameters.isEmpty() && !(statement instanceof Statement.Query)) {
      throw new DataflowException(ErrorCode.UNSUPPORTED, "Only queries take parameters");
    }
    if (statement instanceof Statement.Query query) {
      query(execution, principal, query, parameters);
    } else if (statement instanceof Statement.CreateTableAs create) {
      createTableAs(execution, principal, create);
    } else if (statement instanceof Statement.InsertInto insert) {
      PlannedQuery planned = plan(execution, principal, insert.query());
      Table table = lake.table(insert.path());
      long rows =
          writer
              .insert(execution.statement(), table, insert.columns(), planned.sql(), Map.of())
              .rows();
      execution.updated(rows, planned.reads());
    } else if (statement instanceof Statement.DropTable drop) {
      if (lake.viewOrNull(drop.path()) != null) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT, drop.path() + " is a view: use DROP VIEW");
      }
      if (!lake.dropTable(drop.path()) && !drop.ifExists()) {
        throw new DataflowException(
            ErrorCode.NOT_FOUND, "Table " + drop.path() + " does not exist");
      }
    } else if (statement instanceof Statement.CreateView create) {
      views.create(execution.statement(), create.path(), create.query(), create.replace());
    } else if (statement instanceof Statement.DropView drop) {
      if (!views.drop(drop.path()) && !drop.ifExists()) {
        throw new DataflowException(ErrorCode.NOT_FOUND, "View " + drop.path() + " does not exist");
      }
    }
  }

  /**
   * Plans a statement's query (a cancel stops the planner at its next node) and waits for the
   * admission queue to give it a slot, which it holds until it is closed.
   */
  private PlannedQuery plan(Execution execution, String principal, Statement.Query query) {
    BooleanSupplier stopped = () -> execution.stopReason() != null;
    PlannedQuery planned = planner.plan(execution.connection(), query, Set.of(), stopped);
    execution.hold(lake.warehouse().hold(planned.files()));
    boolean heavy =
        planned.generates() || planned.scanBytes() > admission.settings().shortScanBytes();
    Admission.Ticket ticket = admission.enqueue(principal, heavy);
    execution.ticket(ticket);
    if (!admission.isAdmitted(ticket)) {
      jobs.status(execution.jobId(), JobStatus.QUEUED);
      admission.await(ticket, stopped);
      jobs.status(execution.jobId(), JobStatus.RUNNING);
    }
    return planned;
  }

  private void createTableAs(
      Execution execution, String principal, Statement.CreateTableAs create) {
    PlannedQuery planned = plan(execution, principal, create.query());
    boolean exists = lake.tableOrNull(create.path()) != null;
    if (exists && create.ifNotExists()) {
      execution.updated(0, planned.reads());
      return;
    }
    views.checkFree(create.path(), exists && create.replace());
    if (exists && create.replace()) {
      lake.dropTable(create.path());
    }
    long rows =
        writer
            .createTableAs(
                execution.statement(), create.path(), create.partitioning(), planned.sql())
            .rows();
    execution.updated(rows, planned.reads());
  }

  private void query(
      Execution execution, String principal, Statement.Query query, List<Object> parameters) {
    PlannedQuery planned = plan(execution, principal, query);
    if (execution.stopReason() != null) {
      throw execution.stopped(new IllegalStateException("stopped before it started"));
    }
    try {
      ResultSet result;
      if (parameters.isEmpty()) {
        result = execution.statement().executeQuery(planned.sql());
      } else {
        PreparedStatement prepared = execution.connection().prepareStatement(planned.sql());
        for (int i = 0; i < parameters.size(); i++) {
          prepared.setObject(i + 1, parameters.get(i));
        }
        result = prepared.executeQuery();
      }
      ArrowReader reader =
          (ArrowReader)
              ((DuckDBResultSet) result).arrowExportStream(execution.allocator(), BATCH_ROWS);
      execution.result(reader, planned.reads());
    } catch (SQLException e) {
      throw execution.stopReason() != null ? execution.stopped(e) : EngineErrors.translate(e);
    }
  }

  private void finish(Execution execution, String principal, String sql, long startedAt) {
    if (execution.ticket() != null) {
      execution.ticket().release();
    }
    running.remove(execution.jobId());
    DataflowException failure = execution.failure();
    JobStatus status =
        failure == null
            ? JobStatus.COMPLETED
            : failure.code() == ErrorCode.CANCELLED ? JobStatus.CANCELLED : JobStatus.FAILED;
    List<String> datasets =
        execution.reads().stream()
            .map(DatasetRead::path)
            .map(DatasetPath::toString)
            .distinct()
            .toList();
    jobs.finish(
        new JobRecord(
            execution.jobId(),
            principal,
            sql,
            status,
            startedAt,
            System.currentTimeMillis(),
            execution.rows(),
            execution.bytes(),
            failure == null ? null : failure.code().name(),
            failure == null ? null : failure.describe(),
            datasets));
  }

  @Override
  public void close() {
    running.values().forEach(e -> e.cancel(ErrorCode.CANCELLED));
    timer.shutdownNow();
    jobs.close();
    engine.close();
  }
}
