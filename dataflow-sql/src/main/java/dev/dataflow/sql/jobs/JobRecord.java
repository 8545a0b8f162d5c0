package dev.dataflow.sql.jobs;

import java.util.List;

/**
 * What the platform remembers of one statement: who ran it, what, how it ended and what it read.
 * Times are epoch milliseconds; {@code endedAt}, counts and error are null while it runs.
 */
public record JobRecord(
    String id,
    String principal,
    String sql,
    JobStatus status,
    long startedAt,
    Long endedAt,
    Long rows,
    Long bytes,
    String errorCode,
    String errorMessage,
    List<String> datasets) {

  /** A job that has not ended: nothing is known yet of its outcome. */
  public static JobRecord unfinished(
      String id, String principal, String sql, JobStatus status, long startedAt) {
    return new JobRecord(
        id, principal, sql, status, startedAt, null, null, null, null, null, List.of());
  }
}
