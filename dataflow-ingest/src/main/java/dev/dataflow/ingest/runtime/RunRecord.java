package dev.dataflow.ingest.runtime;

/**
 * One run of a pipeline: its counts and the snapshot of its last commit. Times are epoch ms; {@code
 * endedAt} and {@code snapshotId} are null while it runs or when it committed nothing.
 */
public record RunRecord(
    String id,
    String pipeline,
    long startedAt,
    Long endedAt,
    PipelineState status,
    long rowsIn,
    long rowsOut,
    long rowsError,
    long bytes,
    int files,
    Long snapshotId,
    String error) {}
