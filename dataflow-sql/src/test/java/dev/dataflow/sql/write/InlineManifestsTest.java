package dev.dataflow.sql.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.lake.LocalFileIO;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.PositionOutputStream;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InlineManifestsTest {
  /** The thread that wrote each file, by location. */
  static final Map<String, String> WRITERS = new ConcurrentHashMap<>();

  /** Notes which thread writes each file. */
  public static class RecordingFileIO extends LocalFileIO {
    @Override
    public OutputFile newOutputFile(String location) {
      OutputFile file = super.newOutputFile(location);
      return new OutputFile() {
        @Override
        public PositionOutputStream create() {
          WRITERS.put(location, Thread.currentThread().getName());
          return file.create();
        }

        @Override
        public PositionOutputStream createOrOverwrite() {
          WRITERS.put(location, Thread.currentThread().getName());
          return file.createOrOverwrite();
        }

        @Override
        public String location() {
          return file.location();
        }

        @Override
        public InputFile toInputFile() {
          return file.toInputFile();
        }
      };
    }
  }

  @TempDir Path dir;

  @Test
  void aCommitWritesItsManifestsInTheCommittingThread() {
    Table table = table();
    String committer = Thread.currentThread().getName();

    WRITERS.clear();
    table.newAppend().appendFile(file(table, "a")).commit();
    // Iceberg on its own writes the new manifest in its worker pool (and polls it every 10 ms)
    assertThat(WRITERS.values()).anyMatch(thread -> !thread.equals(committer));

    WRITERS.clear();
    InlineManifests.of(table.newAppend()).appendFile(file(table, "b")).commit();
    InlineManifests.of(table.newOverwrite())
        .overwriteByRowFilter(Expressions.alwaysTrue())
        .addFile(file(table, "c"))
        .commit();
    assertThat(WRITERS).isNotEmpty();
    assertThat(Set.copyOf(WRITERS.values())).containsExactly(committer);

    // the overwrite replaced a and b
    table.refresh();
    List<String> live = new ArrayList<>();
    table.newScan().planFiles().forEach(task -> live.add(task.file().location()));
    assertThat(live).containsExactly(table.location() + "/data/c.parquet");
  }

  private Table table() {
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.initialize(
        "test",
        Map.of(
            CatalogProperties.URI,
            "jdbc:sqlite:" + dir.resolve("catalog.db"),
            CatalogProperties.WAREHOUSE_LOCATION,
            dir.resolve("warehouse").toString(),
            CatalogProperties.FILE_IO_IMPL,
            RecordingFileIO.class.getName()));
    catalog.createNamespace(Namespace.of("s"));
    return catalog.createTable(
        TableIdentifier.of("s", "t"),
        new Schema(Types.NestedField.required(1, "id", Types.LongType.get())),
        PartitionSpec.unpartitioned());
  }

  private static DataFile file(Table table, String name) {
    return DataFiles.builder(table.spec())
        .withPath(table.location() + "/data/" + name + ".parquet")
        .withFileSizeInBytes(100)
        .withRecordCount(1)
        .build();
  }
}
