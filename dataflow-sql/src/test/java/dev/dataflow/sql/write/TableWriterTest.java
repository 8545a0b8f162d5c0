package dev.dataflow.sql.write;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableWriterTest {
  @TempDir Path dir;
  private Lake lake;
  private SqlService sql;

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
    run("CREATE TABLE s.t AS SELECT range AS id, 'v' || range AS v FROM range(10)");
  }

  @AfterEach
  void stop() {
    sql.close();
    lake.close();
  }

  private void run(String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      execution.next();
    }
  }

  private List<String> rows(String query) {
    List<String> rows = new ArrayList<>();
    try (Execution execution = sql.execute("test", query)) {
      while (execution.next()) {
        var batch = execution.batch();
        for (int r = 0; r < batch.getRowCount(); r++) {
          rows.add(batch.getVector(0).getObject(r) + "=" + batch.getVector(1).getObject(r));
        }
      }
    }
    return rows;
  }

  private TableWriter.WriteResult write(
      String query, TableWriter.Mode mode, Map<String, String> summary) throws Exception {
    Table table = lake.table(DatasetPath.of("s", "t"));
    try (var connection = sql.engine().connect();
        Statement statement = connection.createStatement()) {
      return sql.writer().write(statement, table, query, mode, List.of("id"), summary);
    }
  }

  @Test
  void aTableKeepsItsCurrentMetadataFileAndTheHundredBefore() throws Exception {
    Table table = lake.table(DatasetPath.of("s", "t"));
    for (int i = 0; i < Lake.PREVIOUS_METADATA_FILES + 20; i++) {
      table.updateProperties().set("test.commit", String.valueOf(i)).commit();
    }
    Path metadata = Path.of(URI.create(table.location() + "/metadata").getPath());
    try (var files = Files.list(metadata)) {
      assertThat(files.filter(f -> f.toString().endsWith(".metadata.json")).count())
          .isEqualTo(Lake.PREVIOUS_METADATA_FILES + 1);
    }
    assertThat(rows("SELECT id, v FROM s.t")).hasSize(10);
  }

  @Test
  void tablesMadeBeforeTheSettingGetItWhenTheLakeNextOpens() throws Exception {
    String enabled = TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED;
    String max = TableProperties.METADATA_PREVIOUS_VERSIONS_MAX;
    lake.table(DatasetPath.of("s", "t")).updateProperties().remove(enabled).remove(max).commit();
    run("CREATE TABLE s.n.own AS SELECT 1 AS id");
    lake.table(DatasetPath.of("s", "n", "own")).updateProperties().set(enabled, "false").commit();
    // as the lake was before the upgrade step ran: two steps (the leases' and the workers' tables,
    // made only if missing) came after it
    try (Connection connection = lake.metadataConnection();
        Statement statement = connection.createStatement()) {
      statement.executeUpdate("UPDATE df_schema_version SET version = version - 3");
    }
    sql.close();
    lake.close();

    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));

    assertThat(lake.table(DatasetPath.of("s", "t")).properties())
        .containsEntry(enabled, "true")
        .containsEntry(max, String.valueOf(Lake.PREVIOUS_METADATA_FILES));
    // a table that says otherwise keeps its own setting
    assertThat(lake.table(DatasetPath.of("s", "n", "own")).properties())
        .containsEntry(enabled, "false");
    assertThat(rows("SELECT id, v FROM s.t")).hasSize(10);
  }

  @Test
  void mergeReplacesRowsByKeyAndAddsNewOnes() throws Exception {
    var result =
        write(
            "SELECT * FROM (VALUES (2, 'two'), (5, 'five'), (42, 'new'), (42, 'new')) t(id, v)",
            TableWriter.Mode.MERGE,
            Map.of());
    assertThat(result.rows()).isEqualTo(3);
    assertThat(rows("SELECT id, v FROM s.t ORDER BY id"))
        .hasSize(11)
        .contains("2=two", "5=five", "42=new", "3=v3")
        .doesNotContain("2=v2", "5=v5");
  }

  @Test
  void overwriteReplacesEveryRow() throws Exception {
    write("SELECT 7 AS id, 'seven' AS v", TableWriter.Mode.OVERWRITE, Map.of());
    assertThat(rows("SELECT id, v FROM s.t")).containsExactly("7=seven");
  }

  @Test
  void anEmptyWriteStillCommitsItsSummary() throws Exception {
    var result =
        write("SELECT 1 AS id, 'x' AS v WHERE false", TableWriter.Mode.APPEND, Map.of("k", "v"));
    Table table = lake.table(DatasetPath.of("s", "t"));
    assertThat(result.snapshotId()).isEqualTo(table.currentSnapshot().snapshotId());
    assertThat(table.currentSnapshot().summary()).containsEntry("k", "v");
    assertThat(rows("SELECT count(*), 0 FROM s.t")).containsExactly("10=0");
  }

  @Test
  void writesWithTheTablesParquetCodec() throws Exception {
    Table table = lake.table(DatasetPath.of("s", "t"));
    assertThat(codecs(table)).containsOnly("ZSTD");
    table.updateProperties().set("write.parquet.compression-codec", "snappy").commit();
    write("SELECT 100 AS id, 'x' AS v", TableWriter.Mode.APPEND, Map.of());
    assertThat(codecs(lake.table(DatasetPath.of("s", "t"))))
        .containsOnly("ZSTD", "SNAPPY")
        .contains("SNAPPY");
  }

  @Test
  void compactionRewritesSmallFilesChangingNoRowAndKeepsOffsetsInTheCommitsBefore()
      throws Exception {
    for (int i = 0; i < 4; i++) {
      write(
          "SELECT " + (20 + i) + " AS id, 'n' AS v",
          TableWriter.Mode.MERGE,
          Map.of("offset", Integer.toString(i)));
    }
    List<String> before = rows("SELECT id, v FROM s.t ORDER BY id");
    assertThat(compact(6)).as("fewer small files than asked").isZero();
    assertThat(compact(2)).isEqualTo(5);

    Table table = lake.table(DatasetPath.of("s", "t"));
    assertThat(table.currentSnapshot().operation()).isEqualTo("replace");
    assertThat(table.currentSnapshot().summary())
        .containsEntry("total-data-files", "1")
        .doesNotContainKey("offset");
    assertThat(table.snapshot(table.currentSnapshot().parentId()).summary())
        .containsEntry("offset", "3");
    assertThat(rows("SELECT id, v FROM s.t ORDER BY id")).isEqualTo(before);
    // a merge after the compaction replaces the compacted file's row of its key
    write("SELECT 21 AS id, 'changed' AS v", TableWriter.Mode.MERGE, Map.of());
    assertThat(rows("SELECT id, v FROM s.t WHERE id IN (20, 21) ORDER BY id"))
        .containsExactly("20=n", "21=changed");
  }

  private int compact(int minFiles) throws Exception {
    Table table = lake.table(DatasetPath.of("s", "t"));
    try (var connection = sql.engine().connect();
        Statement statement = connection.createStatement()) {
      return sql.writer().compact(statement, table, 32L << 20, minFiles);
    }
  }

  /** The compression codecs of the table's data files, read from their footers. */
  private static List<String> codecs(Table table) throws Exception {
    List<String> codecs = new ArrayList<>();
    try (var duckdb = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        Statement statement = duckdb.createStatement()) {
      for (var task : table.newScan().planFiles()) {
        try (var rows =
            statement.executeQuery(
                "SELECT DISTINCT compression FROM parquet_metadata('"
                    + task.file().location()
                    + "')")) {
          while (rows.next()) {
            codecs.add(rows.getString(1));
          }
        }
      }
    }
    return codecs;
  }
}
