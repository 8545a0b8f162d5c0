package dev.dataflow.ingest.runtime;

/** Where a pipeline is in its life; FAILED comes with its cause. */
public enum PipelineState {
  CREATED,
  RUNNING,
  STOPPED,
  FINISHED,
  FAILED
}
