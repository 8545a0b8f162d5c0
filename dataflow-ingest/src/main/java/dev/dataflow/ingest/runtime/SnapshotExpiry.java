package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.jdbc.JdbcReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Expires a pipeline's destination table's old snapshots, and with them the data files only they
 * still referenced (those a compaction or an overwrite replaced). A continuous pipeline commits
 * every few seconds, and every commit writes a metadata file listing all the table's snapshots:
 * without expiry each commit costs more than the one before, and the disk fills.
 *
 * <p>The pipeline's source offsets live in its commits' summaries ({@link Offsets}), read back by
 * walking the table's history, so some old snapshots must stay: each pipeline's newest commit
 * holding each of its offsets (where its reader resumes; a kafka commit holds only the partitions
 * it read), every commit that lists consumed source files (a files origin's memory is the union of
 * them all), and every commit of the latest full load (a retry of an unfinished one takes them
 * back). Only snapshots older than all of those, and than {@code keep}, go: the history that
 * remains is unbroken from the current snapshot back to its oldest, which is all that {@link
 * Offsets} walks.
 */
final class SnapshotExpiry {
  /** What every offset, marker and pipeline statistic in a commit's summary is named under. */
  private static final String OFFSET_PREFIX = "dataflow.";

  private SnapshotExpiry() {}

  /**
   * Expires the snapshots of {@code table} older than {@code keep} before {@code nowMillis} that no
   * pipeline needs; returns how many.
   */
  static int expire(Table table, Duration keep, long nowMillis) {
    table.refresh();
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return 0;
    }
    long oldestNeeded = Math.min(current.timestampMillis(), nowMillis - keep.toMillis());
    // every pipeline's, not only this one's: a table may have had other writers
    Map<String, Set<String>> keys = new HashMap<>();
    Map<String, String> latestLoads = new HashMap<>();
    for (Snapshot snapshot : SnapshotUtil.ancestorsOf(current.snapshotId(), table::snapshot)) {
      Map<String, String> summary = snapshot.summary();
      String writer = summary.get(Offsets.PIPELINE);
      if (writer == null) {
        continue;
      }
      if (!latestLoads.containsKey(writer)) {
        latestLoads.put(writer, summary.get(JdbcReader.LOAD));
      }
      String load = latestLoads.get(writer);
      // the newest commit that holds an offset key (a kafka partition that had no message since)
      boolean needed = false;
      Set<String> seen = keys.computeIfAbsent(writer, w -> new HashSet<>());
      for (String key : summary.keySet()) {
        needed |= key.startsWith(OFFSET_PREFIX) && seen.add(key);
      }
      needed |=
          summary.containsKey(Offsets.FILES)
              || (load != null && load.equals(summary.get(JdbcReader.LOAD)));
      if (needed) {
        oldestNeeded = Math.min(oldestNeeded, snapshot.timestampMillis());
      }
    }
    // older than: a snapshot with the needed one's own timestamp stays, whichever it is
    int expired = 0;
    for (Snapshot snapshot : table.snapshots()) {
      expired += snapshot.timestampMillis() < oldestNeeded ? 1 : 0;
    }
    if (expired > 0) {
      // not when none would go: the expiry would still commit a new metadata file
      table.expireSnapshots().expireOlderThan(oldestNeeded).retainLast(1).commit();
    }
    return expired;
  }
}
