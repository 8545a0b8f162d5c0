package dev.dataflow.sql.jobs;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Job records in the metadata store (table {@code df_jobs}), so history survives restarts. Every
 * statement writes here twice, so one connection is kept open and shared (the database serializes
 * writes anyway).
 */
public final class JobStore implements AutoCloseable {
  private static final String COLUMNS =
      "id, principal, sql_text, status, started_at, ended_at, row_count, byte_count, error_code,"
          + " error_message, datasets";

  private final Lake lake;
  private Connection connection;

  public JobStore(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  public void insert(JobRecord job) {
    update(
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
    update(
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

  public JobRecord find(String id) {
    List<JobRecord> jobs = query("SELECT " + COLUMNS + " FROM df_jobs WHERE id = ?", id);
    if (jobs.isEmpty()) {
      throw new DataflowException(ErrorCode.NOT_FOUND, "Job " + id + " does not exist");
    }
    return jobs.get(0);
  }

  /** The most recent jobs first, optionally of one principal. */
  public List<JobRecord> recent(String principal, int limit) {
    if (principal == null) {
      return query("SELECT " + COLUMNS + " FROM df_jobs ORDER BY started_at DESC LIMIT ?", limit);
    }
    return query(
        "SELECT " + COLUMNS + " FROM df_jobs WHERE principal = ? ORDER BY started_at DESC LIMIT ?",
        principal,
        limit);
  }

  /** Jobs left RUNNING by a process that died are marked failed at start. */
  public void failAbandoned() {
    update(
        "UPDATE df_jobs SET status = 'FAILED', error_code = 'INTERNAL', error_message = ?,"
            + " ended_at = ? WHERE status = 'RUNNING'",
        "The server stopped while the job ran",
        System.currentTimeMillis());
  }

  private synchronized void update(String sql, Object... values) {
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      bind(statement, values);
      statement.executeUpdate();
    } catch (SQLException e) {
      close(); // the next call opens a fresh connection
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot record job: " + e.getMessage(), e);
    }
  }

  private synchronized List<JobRecord> query(String sql, Object... values) {
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      bind(statement, values);
      List<JobRecord> jobs = new ArrayList<>();
      try (ResultSet rows = statement.executeQuery()) {
        while (rows.next()) {
          jobs.add(read(rows));
        }
      }
      return jobs;
    } catch (SQLException e) {
      close(); // the next call opens a fresh connection
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot read jobs: " + e.getMessage(), e);
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = lake.metadataConnection();
    }
    return connection;
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing left to save
      }
      connection = null;
    }
  }

  private static void bind(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        statement.setNull(i + 1, Types.VARCHAR);
      } else {
        statement.setObject(i + 1, values[i]);
      }
    }
  }

  private static JobRecord read(ResultSet rows) throws SQLException {
    String datasets = rows.getString("datasets");
    return new JobRecord(
        rows.getString("id"),
        rows.getString("principal"),
        rows.getString("sql_text"),
        JobStatus.valueOf(rows.getString("status")),
        rows.getLong("started_at"),
        nullableLong(rows, "ended_at"),
        nullableLong(rows, "row_count"),
        nullableLong(rows, "byte_count"),
        rows.getString("error_code"),
        rows.getString("error_message"),
        datasets == null || datasets.isEmpty() ? List.of() : Arrays.asList(datasets.split("\n")));
  }

  private static Long nullableLong(ResultSet rows, String column) throws SQLException {
    long value = rows.getLong(column);
    return rows.wasNull() ? null : value;
  }
}
