package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.Lake;
import dev.dataflow.lake.MetadataDb;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Pipeline definitions, states and runs in the metadata store, so they outlive the process. */
final class PipelineStore implements AutoCloseable {
  /** A stored pipeline: its YAML text as applied, and its state. */
  record Stored(
      String name, String definition, String sourcePath, PipelineState state, String cause) {}

  private static final String RUN_COLUMNS =
      "id, pipeline, started_at, ended_at, status, rows_in, rows_out, rows_error, bytes, files,"
          + " snapshot_id, error";

  private final MetadataDb db;

  PipelineStore(Lake lake) {
    this.db = new MetadataDb(requireNonNull(lake, "lake is null"));
  }

  void save(String name, String definition, String sourcePath) {
    int updated =
        db.update(
            "UPDATE df_pipelines SET definition = ?, source_path = ?, updated_at = ? WHERE name = ?",
            definition,
            sourcePath,
            System.currentTimeMillis(),
            name);
    if (updated == 0) {
      db.update(
          "INSERT INTO df_pipelines (name, definition, source_path, state, updated_at) VALUES (?, ?, ?, ?, ?)",
          name,
          definition,
          sourcePath,
          PipelineState.CREATED.name(),
          System.currentTimeMillis());
    }
  }

  Stored find(String name) {
    List<Stored> found =
        db.query(
            "SELECT name, definition, source_path, state, cause FROM df_pipelines WHERE name = ?",
            PipelineStore::stored,
            name);
    return found.isEmpty() ? null : found.get(0);
  }

  List<Stored> all() {
    return db.query(
        "SELECT name, definition, source_path, state, cause FROM df_pipelines ORDER BY name",
        PipelineStore::stored);
  }

  void state(String name, PipelineState state, String cause) {
    db.update(
        "UPDATE df_pipelines SET state = ?, cause = ?, updated_at = ? WHERE name = ?",
        state.name(),
        cause,
        System.currentTimeMillis(),
        name);
  }

  void delete(String name) {
    db.update("DELETE FROM df_pipeline_runs WHERE pipeline = ?", name);
    db.update("DELETE FROM df_pipelines WHERE name = ?", name);
  }

  void startRun(RunRecord run) {
    db.update(
        "INSERT INTO df_pipeline_runs (id, pipeline, started_at, status) VALUES (?, ?, ?, ?)",
        run.id(),
        run.pipeline(),
        run.startedAt(),
        run.status().name());
    updateRun(run);
  }

  void updateRun(RunRecord run) {
    db.update(
        "UPDATE df_pipeline_runs SET ended_at = ?, status = ?, rows_in = ?, rows_out = ?, rows_error = ?,"
            + " bytes = ?, files = ?, snapshot_id = ?, error = ? WHERE id = ?",
        run.endedAt(),
        run.status().name(),
        run.rowsIn(),
        run.rowsOut(),
        run.rowsError(),
        run.bytes(),
        run.files(),
        run.snapshotId(),
        run.error(),
        run.id());
  }

  List<RunRecord> runs(String pipeline, int limit) {
    return db.query(
        "SELECT "
            + RUN_COLUMNS
            + " FROM df_pipeline_runs WHERE pipeline = ? ORDER BY started_at DESC LIMIT ?",
        PipelineStore::run,
        pipeline,
        limit);
  }

  /** Runs left RUNNING by a process that died end as failed. */
  /** Fails the runs left RUNNING by a process that stopped: those no live lease holds. */
  void failAbandonedRuns() {
    long now = System.currentTimeMillis();
    db.update(
        "UPDATE df_pipeline_runs SET status = 'FAILED', error = 'The server stopped during the run',"
            + " ended_at = ? WHERE status = 'RUNNING' AND NOT EXISTS (SELECT 1 FROM df_leases"
            + " WHERE df_leases.name = 'pipeline/' || df_pipeline_runs.pipeline"
            + " AND df_leases.expires_at > ?)",
        now,
        now);
  }

  /** Fails a pipeline's runs left RUNNING by a worker that lost its lease. */
  void failRunningRuns(String pipeline, String cause) {
    db.update(
        "UPDATE df_pipeline_runs SET status = 'FAILED', error = ?, ended_at = ?"
            + " WHERE status = 'RUNNING' AND pipeline = ?",
        cause,
        System.currentTimeMillis(),
        pipeline);
  }

  private static Stored stored(ResultSet row) throws SQLException {
    return new Stored(
        row.getString("name"),
        row.getString("definition"),
        row.getString("source_path"),
        PipelineState.valueOf(row.getString("state")),
        row.getString("cause"));
  }

  private static RunRecord run(ResultSet row) throws SQLException {
    return new RunRecord(
        row.getString("id"),
        row.getString("pipeline"),
        row.getLong("started_at"),
        MetadataDb.nullableLong(row, "ended_at"),
        PipelineState.valueOf(row.getString("status")),
        row.getLong("rows_in"),
        row.getLong("rows_out"),
        row.getLong("rows_error"),
        row.getLong("bytes"),
        row.getInt("files"),
        MetadataDb.nullableLong(row, "snapshot_id"),
        row.getString("error"));
  }

  @Override
  public void close() {
    db.close();
  }
}
