package dev.dataflow.ingest.runtime;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Fencing;
import dev.dataflow.sql.write.InlineManifests;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotChanges;
import org.apache.iceberg.SnapshotUpdate;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.SnapshotUtil;

/**
 * Source offsets kept in Iceberg snapshot summaries, so they commit atomically with the data they
 * describe: a restart resumes exactly after the last commit, whatever the moment of the crash. Each
 * commit records its pipeline, its batch id and the source files it consumed.
 */
final class Offsets {
  static final String PIPELINE = "dataflow.pipeline";
  static final String BATCH = "dataflow.batch";
  static final String FILES = "dataflow.files";
  private static final ObjectMapper JSON = new ObjectMapper();

  private Offsets() {}

  /** The properties that mark a commit as a batch of a pipeline. */
  static Map<String, String> marker(String pipeline, String batch) {
    Map<String, String> summary = new HashMap<>();
    summary.put(PIPELINE, pipeline);
    summary.put(BATCH, batch);
    return summary;
  }

  /**
   * Commits {@code update} marked as {@code pipeline}'s, as a batch when {@code batch} is not null,
   * with {@code offsets}.
   */
  static void commit(
      SnapshotUpdate<?> update, String pipeline, String batch, Map<String, String> offsets) {
    update.set(PIPELINE, pipeline);
    if (batch != null) {
      update.set(BATCH, batch);
    }
    Fencing.apply(update, offsets);
    InlineManifests.of(update).commit();
  }

  /** The offsets of a batch of files: the files it consumed. */
  static Map<String, String> files(List<String> files) {
    try {
      return Map.of(FILES, JSON.writeValueAsString(files));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The value of an offset property in the pipeline's latest commit to a table, or null. */
  static String latest(Table table, String pipeline, String key) {
    for (Snapshot snapshot : history(table)) {
      if (pipeline.equals(snapshot.summary().get(PIPELINE))
          && snapshot.summary().containsKey(key)) {
        return snapshot.summary().get(key);
      }
    }
    return null;
  }

  /** Every source file a pipeline committed into a table, over the table's whole history. */
  static Set<String> committedFiles(Table table, String pipeline) {
    Set<String> files = new HashSet<>();
    for (Snapshot snapshot : history(table)) {
      Map<String, String> summary = snapshot.summary();
      if (pipeline.equals(summary.get(PIPELINE)) && summary.containsKey(FILES)) {
        try {
          files.addAll(JSON.readValue(summary.get(FILES), new TypeReference<List<String>>() {}));
        } catch (IOException e) {
          throw new IllegalStateException(
              "Unreadable offsets in snapshot " + snapshot.snapshotId(), e);
        }
      }
    }
    return files;
  }

  /**
   * Whether a batch of a pipeline is already committed to a table (a retry must not add it twice).
   */
  static boolean hasBatch(Table table, String pipeline, String batch) {
    for (Snapshot snapshot : history(table)) {
      if (pipeline.equals(snapshot.summary().get(PIPELINE))
          && batch.equals(snapshot.summary().get(BATCH))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The data files that the pipeline's commits carrying {@code retract}'s offset added to a table
   * and that are still in it: what a retried read takes back. Files those commits removed again (an
   * earlier retry's) are left out; a file that something else removed or rewrote since (a
   * compaction) makes the retry fail, since its rows can no longer be told from others.
   */
  static List<DataFile> retractable(Table table, String pipeline, OriginReader.Retract retract) {
    Map<String, DataFile> added = new HashMap<>();
    Set<String> removed = new HashSet<>();
    for (Snapshot snapshot : history(table)) {
      Map<String, String> summary = snapshot.summary();
      if (pipeline.equals(summary.get(PIPELINE))
          && retract.value().equals(summary.get(retract.key()))) {
        SnapshotChanges changes = SnapshotChanges.builderFor(table).snapshot(snapshot).build();
        changes.addedDataFiles().forEach(f -> added.put(f.location(), f));
        changes.removedDataFiles().forEach(f -> removed.add(f.location()));
      }
    }
    added.keySet().removeAll(removed);
    if (!added.isEmpty()) {
      Set<String> live = livePaths(table);
      List<String> gone = added.keySet().stream().filter(f -> !live.contains(f)).toList();
      if (!gone.isEmpty()) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Pipeline "
                + pipeline
                + ": cannot retry the interrupted load ("
                + retract.key()
                + " "
                + retract.value()
                + ") into "
                + table.name()
                + ": "
                + gone.size()
                + " of the files it appended were rewritten or removed since (a compaction?), so"
                + " its rows can no longer be taken back: run the load once with mode: overwrite to"
                + " start the table afresh");
      }
    }
    return List.copyOf(added.values());
  }

  private static Set<String> livePaths(Table table) {
    Set<String> paths = new HashSet<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> paths.add(task.file().location()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return paths;
  }

  /** The table's snapshots, newest first, back through its current snapshot's ancestry. */
  static Iterable<Snapshot> history(Table table) {
    table.refresh();
    return table.currentSnapshot() == null
        ? List.of()
        : SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot);
  }
}
