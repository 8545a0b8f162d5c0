package dev.dataflow.sql.jobs;

public enum JobStatus {
  RUNNING,
  COMPLETED,
  FAILED,
  CANCELLED;

  public boolean isFinal() {
    return this != RUNNING;
  }
}
