package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.jdbc.JdbcReader;
import dev.dataflow.ingest.kafka.KafkaReader;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;

/**
 * Expires a pipeline's destination table's old snapshots, and with them the data files only they
 * still referenced (those a compaction or an overwrite replaced). A continuous pipeline commits
 * every few seconds, and every commit writes a metadata file listing all the table's snapshots:
 * without expiry each commit costs more than the one before, and the disk fills.
 *
 * <p>The pipeline's source offsets live in its commits' summaries ({@link Offsets}), read back by
 * walking the table's history, so some old snapshots must stay: each pipeline's newest commit
 * holding each of its offsets (where its reader resumes; a kafka commit holds only the partitions
 * its worker holds), every commit that lists consumed source files (a files origin's memory is the
 * union of them all), and every commit of the latest full load (a retry of an unfinished one takes
 * them back). Only snapshots older than all of those, and than {@code keep}, go: the history that
 * remains is unbroken from the current snapshot back to its oldest, which is all that {@link
 * Offsets} walks. An offset written long ago, which would hold expiry back for good, is carried
 * into a new commit first.
 */
final class SnapshotExpiry {
  /** What every offset, marker and pipeline statistic in a commit's summary is named under. */
  private static final String OFFSET_PREFIX = "dataflow.";

  private static final Set<String> NOT_CARRIED =
      Set.of(
          Offsets.PIPELINE, Offsets.BATCH, Offsets.FILES, JdbcReader.LOAD, JdbcReader.LOAD_BATCH);

  private SnapshotExpiry() {}

  /**
   * Expires the snapshots of {@code table} older than {@code keep} before {@code nowMillis} that no
   * pipeline needs; returns how many. First, when an offset of {@code pipeline} was last written
   * before that (a binlog's schema history that did not change), the pipeline's offsets are carried
   * into a new commit of their own, so that the old commit holding it is no longer needed: only the
   * pipeline's own, since it is the one committing to the table now (its commits wait for this),
   * never another writer's.
   */
  static int expire(Table table, String pipeline, Duration keep, long nowMillis) {
    long cutoff = nowMillis - keep.toMillis();
    Map<String, String> carried = staleOffsets(table, pipeline, cutoff);
    if (!carried.isEmpty()) {
      // not a batch: no batch id
      Offsets.commit(table.newAppend(), pipeline, null, carried);
    }
    Iterable<Snapshot> history = Offsets.history(table);
    Snapshot current = table.currentSnapshot();
    if (current == null) {
      return 0;
    }
    long oldestNeeded = Math.min(current.timestampMillis(), cutoff);
    // every pipeline's, not only this one's: a table may have had other writers
    Map<String, Set<String>> keys = new HashMap<>();
    Map<String, String> latestLoads = new HashMap<>();
    for (Snapshot snapshot : history) {
      Map<String, String> summary = snapshot.summary();
      String writer = summary.get(Offsets.PIPELINE);
      if (writer == null) {
        continue;
      }
      if (!latestLoads.containsKey(writer)) {
        latestLoads.put(writer, summary.get(JdbcReader.LOAD));
      }
      String load = latestLoads.get(writer);
      // the newest commit that holds an offset key (a schema history written once, a partition no
      // running worker holds)
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

  /**
   * The latest value of each offset of {@code pipeline} when one of them was last written before
   * {@code cutoff} by a commit older than its newest, else nothing. A batch's marker is not an
   * offset, and the lists of consumed files and a full load's commits cannot be carried: they are
   * unions over several commits. Nor can kafka partitions: the workers of a consumer group commit
   * to the same table, and a value read here could be older than one another worker commits
   * meanwhile.
   */
  private static Map<String, String> staleOffsets(Table table, String pipeline, long cutoff) {
    Map<String, String> latest = new HashMap<>();
    boolean newest = true;
    boolean stale = false;
    for (Snapshot snapshot : Offsets.history(table)) {
      if (!pipeline.equals(snapshot.summary().get(Offsets.PIPELINE))) {
        continue;
      }
      for (Map.Entry<String, String> entry : snapshot.summary().entrySet()) {
        String key = entry.getKey();
        if (key.startsWith(OFFSET_PREFIX)
            && !NOT_CARRIED.contains(key)
            && !key.startsWith(KafkaReader.OFFSET_PREFIX)
            && latest.putIfAbsent(key, entry.getValue()) == null) {
          // the pipeline's newest commit is kept anyway: only an older one can hold expiry back
          stale |= !newest && snapshot.timestampMillis() < cutoff;
        }
      }
      newest = false;
    }
    return stale ? latest : Map.of();
  }
}
