package dev.dataflow.ml.registry;

/** A dataset a training read, at the snapshot it read (-1 for a view, expanded into its tables). */
public record DatasetSnapshot(String dataset, long snapshotId) {}
