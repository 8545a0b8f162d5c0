package dev.dataflow.sql.jobs;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.MetadataDb;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;

/** Job records in the metadata store (table {@code df_jobs}), so history survives restarts. */
public final class JobStore implements AutoCloseable {
  private static final String COLUMNS =
      "id, principal, sql_text, status, started_at, ended_at, row_count, byte_count, error_code,"
          + " error_message, datasets";

  private final MetadataDb db;

  public JobStore(Lake lake) {
    this.db = new MetadataDb(requireNonNull(lake, "lake is null"));
  }

  public void insert(JobRecord job) {
    db.update(
        "INSERT INTO df_jobs (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        job.id(),
        job.principal(),
        job.sql(),
        job.status().name(),
        job.startedAt(),
        job.endedAt(),
        job.rows(),
        job.bytes(),
        job.errorCode(),
        job.errorMessage(),
        String.join("\n", job.datasets()));
  }

  public void finish(JobRecord job) {
    db.update(
        "UPDATE df_jobs SET status = ?, ended_at = ?, row_count = ?, byte_count = ?, error_code = ?,"
            + " error_message = ?, datasets = ? WHERE id = ?",
        job.status().name(),
        job.endedAt(),
        job.rows(),
        job.bytes(),
        job.errorCode(),
        job.errorMessage(),
        String.join("\n", job.datasets()),
        job.id());
  }

  /** Moves a job that has not ended between {@code QUEUED} and {@code RUNNING}. */
  public void status(String id, JobStatus status) {
    db.update("UPDATE df_jobs SET status = ? WHERE id = ?", status.name(), id);
  }

  public JobRecord find(String id) {
    List<JobRecord> jobs =
        db.query("SELECT " + COLUMNS + " FROM df_jobs WHERE id = ?", JobStore::read, id);
    if (jobs.isEmpty()) {
      throw new DataflowException(ErrorCode.NOT_FOUND, "Job " + id + " does not exist");
    }
    return jobs.get(0);
  }

  /** The most recent jobs first, optionally of one principal. */
  public List<JobRecord> recent(String principal, int limit) {
    if (principal == null) {
      return db.query(
          "SELECT " + COLUMNS + " FROM df_jobs ORDER BY started_at DESC LIMIT ?",
          JobStore::read,
          limit);
    }
    return db.query(
        "SELECT " + COLUMNS + " FROM df_jobs WHERE principal = ? ORDER BY started_at DESC LIMIT ?",
        JobStore::read,
        principal,
        limit);
  }

  /** Jobs left running or queued by a process that died are marked failed at start. */
  public void failAbandoned() {
    db.update(
        "UPDATE df_jobs SET status = 'FAILED', error_code = 'INTERNAL', error_message = ?,"
            + " ended_at = ? WHERE status IN ('RUNNING', 'QUEUED')",
        "The server stopped while the job ran",
        System.currentTimeMillis());
  }

  private static JobRecord read(ResultSet rows) throws SQLException {
    String datasets = rows.getString("datasets");
    return new JobRecord(
        rows.getString("id"),
        rows.getString("principal"),
        rows.getString("sql_text"),
        JobStatus.valueOf(rows.getString("status")),
        rows.getLong("started_at"),
        MetadataDb.nullableLong(rows, "ended_at"),
        MetadataDb.nullableLong(rows, "row_count"),
        MetadataDb.nullableLong(rows, "byte_count"),
        rows.getString("error_code"),
        rows.getString("error_message"),
        datasets == null || datasets.isEmpty() ? List.of() : Arrays.asList(datasets.split("\n")));
  }

  @Override
  public void close() {
    db.close();
  }
}
