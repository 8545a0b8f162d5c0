package dev.dataflow.sql.write;

import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.plan.TableScan;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.RewriteFiles;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.io.CloseableIterable;

/**
 * Rewrites a table's small data files into large ones, changing no row: one Iceberg rewrite,
 * validated against the snapshot it read, so a write that replaced one of those files meanwhile (a
 * merge) makes it fail; it is then dropped, and the next compaction tries again. The rewrite
 * carries no summary property of its own: a pipeline's offsets stay in its own commits, which
 * readers of offsets find by walking the snapshots' ancestry. A crash before the commit leaves the
 * table as it was (the new files are never referenced).
 */
final class Compaction {
  /**
   * One round rewrites at most this many bytes of small files, so that a stream whose commit thread
   * runs it pauses for seconds, not minutes; the rest waits for the next round.
   */
  static final long ROUND_BYTES = 256L << 20;

  private Compaction() {}

  /** Returns how many files were rewritten: 0 when fewer than {@code minFiles} were small. */
  static int run(Lake lake, Statement statement, Table table, long smallBytes, int minFiles) {
    table.refresh();
    Snapshot snapshot = table.currentSnapshot();
    if (snapshot == null) {
      return 0;
    }
    List<DataFile> small = smallFiles(table, smallBytes);
    if (small.size() < minFiles) {
      return 0;
    }
    List<String> paths = small.stream().map(DataFile::location).toList();
    long bytes = small.stream().mapToLong(DataFile::fileSizeInBytes).sum();
    String rows =
        new TableScan(snapshot.snapshotId(), table.schema(), paths, paths.size(), bytes)
            .relationSql(lake.warehouse(), true, false);
    ParquetBatch batch;
    try (Warehouse.Held held = lake.warehouse().hold(paths)) {
      batch = ParquetBatch.write(statement, table, rows, lake.warehouse());
    }
    try {
      RewriteFiles rewrite =
          InlineManifests.of(table.newRewrite()).validateFromSnapshot(snapshot.snapshotId());
      small.forEach(rewrite::deleteFile);
      batch.files().forEach(rewrite::addFile);
      rewrite.commit();
    } catch (ValidationException | CommitFailedException e) {
      batch.delete(lake.warehouse());
      return 0;
    }
    return small.size();
  }

  private static List<DataFile> smallFiles(Table table, long smallBytes) {
    List<DataFile> files = new ArrayList<>();
    long bytes = 0;
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        long size = task.file().fileSizeInBytes();
        if (size < smallBytes && task.deletes().isEmpty() && bytes + size <= ROUND_BYTES) {
          files.add(task.file());
          bytes += size;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
