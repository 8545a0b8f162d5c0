package dev.dataflow.sql.jobs;

public enum JobStatus {
  /** Planned, waiting in the admission queue for a slot. */
  QUEUED,
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this != RUNNING && this != QUEUED;
  }
}
