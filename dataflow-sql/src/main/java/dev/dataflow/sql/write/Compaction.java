package dev.dataflow.sql.write;

import dev.dataflow.lake.Lake;
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
 * merge) makes it fail; it is then dropped, and the next compaction tries again. Appends made
 * meanwhile do not conflict, so a stream goes on while its table is compacted.
 */
final class Compaction {
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
    String rows =
        new TableScan(snapshot.snapshotId(), table.schema(), paths, paths.size())
            .relationSql(true, false);
    ParquetBatch batch =
        ParquetBatch.write(statement, table, rows, TableWriter.newDirectory(table));
    try {
      RewriteFiles rewrite = table.newRewrite().validateFromSnapshot(snapshot.snapshotId());
      small.forEach(rewrite::deleteFile);
      batch.dataFiles(lake.io()).forEach(rewrite::addFile);
      rewrite.commit();
    } catch (ValidationException | CommitFailedException e) {
      batch.delete(lake.io());
      return 0;
    }
    return small.size();
  }

  private static List<DataFile> smallFiles(Table table, long smallBytes) {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      for (FileScanTask task : tasks) {
        if (task.file().fileSizeInBytes() < smallBytes && task.deletes().isEmpty()) {
          files.add(task.file());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }
}
