package dev.dataflow.ingest.runtime;

/**
 * A pipeline as the API shows it: state (with the cause of a failure), its last run, and live
 * counters while it runs (null otherwise).
 */
public record PipelineStatus(
    String name, PipelineState state, String cause, RunRecord lastRun, Progress.View live) {}
