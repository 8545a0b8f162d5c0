package dev.dataflow.sql.plan;

import dev.dataflow.api.DatasetPath;

/**
 * A dataset a statement read: a table at a snapshot (with how many of its files survived pruning),
 * or a view ({@code snapshotId} -1) that was expanded.
 */
public record DatasetRead(
    DatasetPath path, Kind kind, long snapshotId, int filesRead, long totalFiles) {
  public enum Kind {
    TABLE,
    VIEW
  }
}
