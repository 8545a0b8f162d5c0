package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.Destination;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.parse.Statement.Query;
import dev.dataflow.sql.plan.PlannedQuery;
import dev.dataflow.sql.write.EngineErrors;
import dev.dataflow.sql.write.TableWriter;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.types.TypeUtil;

/**
 * Runs one batch through a pipeline on a DuckDB connection that holds the batch's rows in table
 * {@code input} and its unreadable records in {@link #ERRORS}: the SQL stages in order, the
 * constraints, the error policy, then one commit per destination (and the error table), the first
 * destination last, carrying the source offsets.
 */
final class BatchProcessor {
  /** The staging table of records that failed (file, row, raw, stage, reason). */
  static final String ERRORS = "__df_errors";

  static final String INPUT = "input";
  private static final String CHECKED = "__df_checked";
  private static final Set<String> INTERNAL = Set.of("__df_file", "__df_row", "__df_reason");

  private final SqlService sql;
  private final PipelineSpec spec;
  private final Statement statement;

  /**
   * The batch's lower-case {@link #CHECKED} columns and its good rows' schema, each read once:
   * every {@code DESCRIBE} binds the batch's input again (a view over spool files binds their
   * scan).
   */
  private Set<String> checked;

  private Schema goodSchema;

  /** The lease the run holds, carried by every commit so a lost lease refuses them. */
  private final Map<String, String> fence;

  BatchProcessor(
      SqlService sql, PipelineSpec spec, Statement statement, Map<String, String> fence) {
    this.sql = requireNonNull(sql, "sql is null");
    this.spec = requireNonNull(spec, "spec is null");
    this.statement = requireNonNull(statement, "statement is null");
    this.fence = Map.copyOf(fence);
  }

  /** Creates the (empty) error staging table; readers append to it. */
  static void createErrorStaging(Statement statement) throws SQLException {
    statement.execute(
        "CREATE OR REPLACE TABLE "
            + ERRORS
            + " (file VARCHAR, row BIGINT, raw VARCHAR, stage VARCHAR, reason VARCHAR)");
  }

  /** Runs the stages and constraints; returns the rows per stage. Nothing is written. */
  Map<String, Long> transform() {
    return transform(-1);
  }

  /**
   * Runs the stages and constraints over the batch's {@code input}; returns the rows per stage.
   * Nothing is written. The input is counted only when the reader did not: a view scanned by the
   * write is counted by it ({@link #commit}).
   */
  Map<String, Long> transform(OriginReader.Pending pending) {
    return transform(pending.rows() >= 0 ? pending.rows() : pending.lateRejects() != null ? 0 : -1);
  }

  private Map<String, Long> transform(long inputRows) {
    Map<String, Long> rows = new LinkedHashMap<>();
    rows.put(INPUT, inputRows >= 0 ? inputRows : count(INPUT));
    Set<String> stages = new HashSet<>(Set.of(INPUT));
    String previous = INPUT;
    for (PipelineSpec.Transform transform : spec.transforms()) {
      PlannedQuery planned = plan(transform.sql(), stages, "stage " + transform.name());
      try (Warehouse.Held held = sql.lake().warehouse().hold(planned.files())) {
        execute(
            "CREATE OR REPLACE TABLE "
                + Engine.identifier(transform.name())
                + " AS "
                + planned.sql(),
            "stage " + transform.name());
      }
      stages.add(transform.name().toLowerCase(Locale.ROOT));
      rows.put(transform.name(), count(transform.name()));
      previous = transform.name();
    }
    applyConstraints(previous);
    return rows;
  }

  private PlannedQuery plan(String text, Set<String> locals, String where) {
    try {
      return sql.planner().plan(statement.getConnection(), new Query(text, 0, text), locals);
    } catch (DataflowException e) {
      throw new DataflowException(e.code(), where + ": " + e.describe(), e);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** Marks each row of the last stage with the first constraint it breaks; those become errors. */
  private void applyConstraints(String last) {
    List<String> reasons = new ArrayList<>();
    for (String column : spec.constraints().notNull()) {
      reasons.add(
          "WHEN "
              + Engine.identifier(column)
              + " IS NULL THEN "
              + Engine.literal("not_null: " + column + " is null"));
    }
    for (PipelineSpec.Check check : spec.constraints().checks()) {
      reasons.add(
          "WHEN ("
              + check.sql()
              + ") IS FALSE THEN "
              + Engine.literal("check " + check.name() + " failed: " + check.sql()));
    }
    if (!reasons.isEmpty() && columns(Engine.identifier(last)).contains(TableWriter.DELETED)) {
      // a change that deletes its key carries only the key: the constraints are for rows kept
      reasons.add(0, "WHEN " + TableWriter.DELETED + " THEN NULL");
    }
    String reason = reasons.isEmpty() ? "NULL" : "CASE " + String.join(" ", reasons) + " END";
    // a view, not a copy of the batch: the reasons are cheap to compute again for the error rows
    // and for the good rows
    execute(
        "CREATE OR REPLACE VIEW "
            + CHECKED
            + " AS SELECT *, CAST("
            + reason
            + " AS VARCHAR) AS __df_reason FROM "
            + Engine.identifier(last),
        "constraints");
    checked = columns(CHECKED);
    if (reasons.isEmpty()) {
      // no constraint, no row to set aside: skip a statement that binds the batch's input again
      return;
    }
    String file = checked.contains("__df_file") ? "__df_file" : "NULL";
    String row = checked.contains("__df_row") ? "__df_row" : "NULL";
    execute(
        "INSERT INTO "
            + ERRORS
            + " SELECT "
            + file
            + ", "
            + row
            // a JSON merge patch with nulls removes the bookkeeping columns from the raw row
            + ", CAST(json_merge_patch(to_json(c), '{\"__df_reason\": null, \"__df_file\": null,"
            + " \"__df_row\": null}') AS VARCHAR), 'constraint', __df_reason FROM "
            + CHECKED
            + " AS c WHERE __df_reason IS NOT NULL",
        "constraints");
  }

  /** The rows that passed every check, without Dataflow's bookkeeping columns. */
  String goodRows() {
    Set<String> internal = new HashSet<>(checked);
    internal.retainAll(INTERNAL);
    return "SELECT * EXCLUDE ("
        + internal.stream().map(Engine::identifier).collect(Collectors.joining(", "))
        + ") FROM "
        + CHECKED
        + " WHERE __df_reason IS NULL";
  }

  long errorCount() {
    return count(ERRORS);
  }

  /**
   * Applies the error policy: STOP and MAX_RATIO fail the batch before anything is committed. The
   * good rows are counted only when needed: with input a view, counting reads it again.
   */
  private void checkErrorPolicy(long bad, LongSupplier goodRows) {
    PipelineSpec.ErrorPolicy policy = spec.errors();
    if (bad == 0) {
      return;
    }
    long good = goodRows.getAsLong();
    if (policy.policy() == PipelineSpec.Policy.STOP
        || (policy.policy() == PipelineSpec.Policy.MAX_RATIO
            && (double) bad / Math.max(1, good + bad) > policy.maxRatio())) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          bad
              + " of "
              + (good + bad)
              + " rows are in error (policy "
              + policy.policy().name().toLowerCase(Locale.ROOT)
              + (policy.maxRatio() == null ? "" : " " + policy.maxRatio())
              + "); first: "
              + firstError());
    }
  }

  private String firstError() {
    try (ResultSet rows =
        statement.executeQuery("SELECT file, row, stage, reason FROM " + ERRORS + " LIMIT 1")) {
      return rows.next()
          ? rows.getString(1)
              + " row "
              + rows.getLong(2)
              + " ("
              + rows.getString(3)
              + "): "
              + rows.getString(4)
          : "none";
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /**
   * Writes the batch: the error table and every destination but the first, then the first
   * destination, each commit with the batch's id and offsets (the reader resumes after the first
   * destination's; the others tell which batch was in flight). A table other than the first that
   * already holds this batch (a retry after a crash between two commits) is skipped. In overwrite
   * mode only the run's first batch replaces a table; the rest of the run appends to it. When the
   * batch retracts earlier commits, each append table (the error table too) drops their files in
   * the batch's own commit; an overwrite replaces them anyway, and a merge's rewrite is by key, so
   * repeating it is harmless.
   */
  Batch commit(
      String runId, OriginReader.Pending pending, Map<String, Long> stageRows, boolean first) {
    List<String> notes = new ArrayList<>();
    if (pending.lateRejects() == null) {
      return commit(runId, pending, stageRows, first, notes, null);
    }
    // the input's scan runs in the write: what it rejects is known once the files are written
    Destination destination = spec.destinations().get(0);
    boolean existed = sql.lake().tableOrNull(destination.table()) != null;
    TableWriter.PreparedWrite scanned = null;
    // the write's own statement: DuckDB's driver closes a statement whose query fails, and the
    // run's must outlive a scan that fails, to read the batch again (reread)
    try (Statement write = statement.getConnection().createStatement()) {
      scanned = prepare(write, destination, tableFor(destination, notes), pending, first);
      stageRows.put(INPUT, scanned.rows());
      pending.lateRejects().collect(statement);
      return commit(runId, pending, stageRows, first, notes, scanned);
    } catch (SQLException | RuntimeException e) {
      // nothing of the batch is committed: as with a batch read before, no file and no new table
      if (scanned != null) {
        scanned.abort();
      }
      if (!existed) {
        sql.lake().dropTable(destination.table());
      }
      if (reread(pending, e)) {
        stageRows.put(INPUT, count(INPUT));
        return commit(runId, pending, stageRows, first, new ArrayList<>(), null);
      }
      throw e instanceof SQLException sqlError
          ? EngineErrors.translate(sqlError)
          : (RuntimeException) e;
    }
  }

  /** Whether the reader read a batch whose scan failed again, into file tables. */
  private boolean reread(OriginReader.Pending pending, Exception failure) {
    try {
      return pending.lateRejects().reread(statement, failure);
    } catch (SQLException e) {
      failure.addSuppressed(e);
      return false;
    }
  }

  /** {@link #commit}, the first destination's files already written when {@code scanned}. */
  private Batch commit(
      String runId,
      OriginReader.Pending pending,
      Map<String, Long> stageRows,
      boolean first,
      List<String> notes,
      TableWriter.PreparedWrite scanned) {
    long bad = errorCount();
    checkErrorPolicy(bad, () -> scanned != null ? scanned.rows() : count("(" + goodRows() + ")"));
    Map<String, String> marker =
        new java.util.HashMap<>(Offsets.marker(spec.name(), pending.batchId()));
    marker.putAll(pending.offsets());
    marker.putAll(fence);
    if ((bad > 0 && spec.errors().policy() != PipelineSpec.Policy.STOP)
        || pending.retracts() != null) {
      writeErrors(runId, pending, marker, bad);
    }
    List<Destination> destinations = spec.destinations();
    long snapshot = -1;
    long written = 0;
    for (int i = destinations.size() - 1; i >= 0; i--) {
      Destination destination = destinations.get(i);
      boolean primary = i == 0;
      TableWriter.WriteResult result;
      if (primary && scanned != null) {
        result = scanned.commit(marker);
      } else {
        Table table = tableFor(destination, notes);
        if (!primary && Offsets.hasBatch(table, spec.name(), pending.batchId())) {
          continue;
        }
        result =
            destination.mode() == PipelineSpec.WriteMode.MERGE
                ? sql.writer()
                    .write(
                        statement,
                        table,
                        aligned(table, destination),
                        TableWriter.Mode.MERGE,
                        destination.key(),
                        marker)
                : prepare(statement, destination, table, pending, first).commit(marker);
      }
      written += result.rows();
      if (primary) {
        snapshot = result.snapshotId();
      }
    }
    return new Batch(
        stageRows.get(INPUT) + fileErrors(), written, bad, stageRows, snapshot, notes, null);
  }

  /**
   * Writes the batch's rows for an append or overwrite destination, not committed yet. In overwrite
   * mode only the run's first batch replaces the table; the rest of the run appends to it.
   */
  private TableWriter.PreparedWrite prepare(
      Statement write,
      Destination destination,
      Table table,
      OriginReader.Pending pending,
      boolean first) {
    TableWriter.Mode mode =
        destination.mode() == PipelineSpec.WriteMode.OVERWRITE && first
            ? TableWriter.Mode.OVERWRITE
            : TableWriter.Mode.APPEND;
    return sql.writer()
        .prepare(
            write,
            table,
            aligned(table, destination),
            mode,
            mode == TableWriter.Mode.APPEND ? retractable(table, pending) : List.of());
  }

  /** The files of {@code table} that the batch takes back: none unless it retracts commits. */
  private List<DataFile> retractable(Table table, OriginReader.Pending pending) {
    return pending.retracts() == null
        ? List.of()
        : Offsets.retractable(table, spec.name(), pending.retracts());
  }

  private long fileErrors() {
    return count("(SELECT * FROM " + ERRORS + " WHERE stage IN ('parse', 'cast', 'read'))");
  }

  private String routed(Destination destination) {
    String good = goodRows();
    return destination.when() == null
        ? good
        : "SELECT * FROM (" + good + ") WHERE (" + destination.when() + ")";
  }

  /**
   * The good rows routed to {@code destination} ({@link #routed}) with its table's columns, by
   * name; columns the batch lacks are NULL. A merge's deletion mark stays.
   */
  private String aligned(Table table, Destination destination) {
    Set<String> present = new HashSet<>(checked);
    present.removeAll(INTERNAL);
    List<String> projection = new ArrayList<>();
    if (present.contains(TableWriter.DELETED)) {
      projection.add(TableWriter.DELETED);
    }
    for (var field : table.schema().columns()) {
      String name = field.name();
      projection.add(
          (present.contains(name.toLowerCase(Locale.ROOT)) ? Engine.identifier(name) : "NULL")
              + " AS "
              + Engine.identifier(name));
    }
    return "SELECT " + String.join(", ", projection) + " FROM (" + routed(destination) + ")";
  }

  /** The destination table, created from the batch's schema when absent and evolved as allowed. */
  private Table tableFor(Destination destination, List<String> notes) {
    Lake lake = sql.lake();
    if (goodSchema == null) {
      goodSchema = TableWriter.schemaOf(statement, goodRows());
    }
    Schema batch = goodSchema;
    if (batch.findField(TableWriter.DELETED) != null) {
      batch = TypeUtil.selectNot(batch, Set.of(batch.findField(TableWriter.DELETED).fieldId()));
    }
    Table table = lake.tableOrNull(destination.table());
    String codec = destination.compression();
    if (table == null) {
      notes.add("created table " + destination.table());
      return lake.createTable(
          destination.table(),
          batch,
          TableWriter.spec(batch, partitioning(destination)),
          codec == null ? Map.of() : Map.of(TableProperties.PARQUET_COMPRESSION, codec));
    }
    SchemaDrift.reconcile(table, batch, destination.schemaChanges(), notes);
    if (codec != null
        && !codec.equals(table.properties().get(TableProperties.PARQUET_COMPRESSION))) {
      table.updateProperties().set(TableProperties.PARQUET_COMPRESSION, codec).commit();
      notes.add("table " + destination.table() + " now writes Parquet with " + codec);
    }
    return table;
  }

  private static List<dev.dataflow.sql.parse.Statement.PartitionField> partitioning(
      Destination destination) {
    if (destination.partitionBy().isEmpty()) {
      return List.of();
    }
    // the partition grammar is the SQL one: read it through the statement parser
    String ddl =
        "CREATE TABLE x.y PARTITIONED BY ("
            + String.join(", ", destination.partitionBy())
            + ") AS SELECT 1";
    return ((dev.dataflow.sql.parse.Statement.CreateTableAs)
            dev.dataflow.sql.parse.StatementParser.parse(ddl))
        .partitioning();
  }

  /**
   * Appends the batch's error records (when it retracts earlier commits, taking theirs back, even
   * with no error of its own).
   */
  private void writeErrors(
      String runId, OriginReader.Pending pending, Map<String, String> marker, long bad) {
    DatasetPath path = spec.errors().table();
    Lake lake = sql.lake();
    Table table = lake.tableOrNull(path);
    String rows =
        "SELECT "
            + Engine.literal(spec.name())
            + " AS pipeline, "
            + Engine.literal(runId)
            + " AS run_id, file, row, raw, stage, reason, CAST(now() AS TIMESTAMP) AS recorded_at FROM "
            + ERRORS;
    if (table == null) {
      if (bad == 0) {
        return;
      }
      Schema schema = TableWriter.schemaOf(statement, rows);
      table =
          lake.createTable(
              path, schema, org.apache.iceberg.PartitionSpec.unpartitioned(), Map.of());
    } else if (Offsets.hasBatch(table, spec.name(), pending.batchId())) {
      return;
    }
    List<DataFile> retracted = retractable(table, pending);
    if (bad > 0 || !retracted.isEmpty()) {
      sql.writer().appendRetracting(statement, table, rows, retracted, marker);
    }
  }

  /** The lower-case column names of a table or a view. */
  private Set<String> columns(String relation) {
    Set<String> names = new HashSet<>();
    try (ResultSet rows = statement.executeQuery("DESCRIBE SELECT * FROM " + relation)) {
      while (rows.next()) {
        names.add(rows.getString("column_name").toLowerCase(Locale.ROOT));
      }
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
    return names;
  }

  private long count(String relation) {
    try (ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + relation)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  private void execute(String text, String where) {
    try {
      statement.execute(text);
    } catch (SQLException e) {
      DataflowException error = EngineErrors.translate(e);
      throw new DataflowException(error.code(), where + ": " + error.getMessage(), e);
    }
  }
}
