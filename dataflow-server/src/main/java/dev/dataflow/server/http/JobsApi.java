package dev.dataflow.server.http;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /sql} and {@code /jobs}: running statements, following them, paging their results.
 */
final class JobsApi {
  private static final int DEFAULT_PAGE = 100;
  private static final int MAX_PAGE = 10_000;
  private static final int DEFAULT_JOBS = 50;
  private static final int MAX_JOBS = 1_000;

  /**
   * A job as the API shows it; times are ISO-8601, counts are null until the job ends, {@code
   * queuePlace} is its place in the admission queue (from 1) while it is QUEUED.
   */
  record JobJson(
      String id,
      JobStatus status,
      String principal,
      String sql,
      String startedAt,
      String endedAt,
      Long rows,
      Long bytes,
      String errorCode,
      String errorMessage,
      List<String> datasets,
      Integer queuePlace) {
    static JobJson of(JobRecord job, SqlService sql) {
      int place = job.status() == JobStatus.QUEUED ? sql.queuePlace(job.id()) : 0;
      return new JobJson(
          job.id(),
          job.status(),
          job.principal(),
          job.sql(),
          Instant.ofEpochMilli(job.startedAt()).toString(),
          job.endedAt() == null ? null : Instant.ofEpochMilli(job.endedAt()).toString(),
          job.rows(),
          job.bytes(),
          job.errorCode(),
          job.errorMessage(),
          job.datasets(),
          place == 0 ? null : place);
    }
  }

  private final SqlService sql;
  private final JobRunner runner;
  private final ResultFiles results;

  JobsApi(SqlService sql, JobRunner runner, ResultFiles results) {
    this.sql = sql;
    this.runner = runner;
    this.results = results;
  }

  void submit(Context ctx) {
    String statement = Requests.sql(ctx);
    String id = runner.submit(Requests.principal(ctx).name(), statement);
    ctx.header("Location", HttpApi.BASE + "/jobs/" + id).json(Map.of("id", id));
  }

  void job(Context ctx) {
    ctx.json(JobJson.of(sql.jobs().find(ctx.pathParam("id")), sql));
  }

  void recent(Context ctx) {
    int limit = (int) Requests.number(ctx, "limit", DEFAULT_JOBS, 1, MAX_JOBS);
    ctx.json(sql.jobs().recent(null, limit).stream().map(job -> JobJson.of(job, sql)).toList());
  }

  void results(Context ctx) {
    long offset = Requests.number(ctx, "offset", 0, 0, Long.MAX_VALUE - MAX_PAGE);
    int limit = (int) Requests.number(ctx, "limit", DEFAULT_PAGE, 1, MAX_PAGE);
    JobRecord job = completed(ctx);
    ResultFiles.Page page = results.read(job.id(), offset, limit);
    ctx.json(page != null ? page : withoutResultFile(job, offset));
  }

  /**
   * The whole result as a file: CSV with a header line, or Parquet. DuckDB writes it from the job's
   * Arrow file into the spill directory; it is deleted once sent.
   */
  void download(Context ctx) {
    String format = ctx.queryParam("format");
    if (!"csv".equals(format) && !"parquet".equals(format)) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "Query parameter format must be csv or parquet, not '" + format + "'");
    }
    JobRecord job = completed(ctx);
    Path file = results.export(job.id(), sql.engine(), format);
    if (file == null) {
      throw new DataflowException(
          ErrorCode.NOT_FOUND,
          "Job " + job.id() + " has no stored rows to download (a statement, or older than a day)");
    }
    try {
      InputStream in = Files.newInputStream(file);
      // the open stream keeps the data readable after the name is gone
      Files.delete(file);
      ctx.contentType(
              "csv".equals(format) ? "text/csv; charset=utf-8" : "application/vnd.apache.parquet")
          .header("Content-Disposition", "attachment; filename=\"" + job.id() + "." + format + "\"")
          .result(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The job of the request, which must have completed; a failure is answered as its error. */
  private JobRecord completed(Context ctx) {
    JobRecord job = sql.jobs().find(ctx.pathParam("id"));
    if (!job.status().isFinal()) {
      throw new ApiException(
          409,
          "JOB_RUNNING",
          "Job "
              + job.id()
              + " is still running: poll GET "
              + HttpApi.BASE
              + "/jobs/"
              + job.id()
              + " until its status is COMPLETED");
    }
    if (job.status() != JobStatus.COMPLETED) {
      throw failure(job);
    }
    return job;
  }

  /** A statement without rows answers its count; a query whose file is gone cannot be answered. */
  private static ResultFiles.Page withoutResultFile(JobRecord job, long offset) {
    if (isQuery(job.sql())) {
      throw new DataflowException(
          ErrorCode.NOT_FOUND,
          "The result of job "
              + job.id()
              + " is not stored here: results of queries submitted through"
              + " this API are kept for one day. Run the query again");
    }
    List<List<Object>> rows =
        offset == 0 ? List.of(List.of(job.rows() == null ? 0L : job.rows())) : List.of();
    return new ResultFiles.Page(
        List.of(new ResultFiles.ResultColumn("count", "BIGINT")), rows, offset, 1);
  }

  private static boolean isQuery(String text) {
    try {
      return StatementParser.parse(text) instanceof Statement.Query;
    } catch (DataflowException e) {
      return true;
    }
  }

  /** The error a failed or cancelled job ended with, answered as it would have been at once. */
  private static DataflowException failure(JobRecord job) {
    ErrorCode code = ErrorCode.INTERNAL;
    try {
      code = ErrorCode.valueOf(job.errorCode());
    } catch (IllegalArgumentException | NullPointerException e) {
      // an unknown code from another version: INTERNAL it is
    }
    String message =
        job.errorMessage() == null
            ? "Job " + job.id() + " ended " + job.status()
            : job.errorMessage();
    return new DataflowException(code, message);
  }

  void cancel(Context ctx) {
    JobRecord job = sql.jobs().find(ctx.pathParam("id"));
    if (job.status().isFinal()) {
      throw new ApiException(
          409, "JOB_ENDED", "Job " + job.id() + " already ended: " + job.status());
    }
    if (!runner.cancel(job.id())) {
      throw new ApiException(
          409,
          "JOB_NOT_HERE",
          "Job " + job.id() + " is not running in this server process; cancel it where it runs");
    }
    ctx.json(Map.of("cancelled", true));
  }
}
