package dev.dataflow.ingest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.jdbc.JdbcReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.types.Types;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Old snapshots go; those that hold a pipeline's offsets stay. */
class SnapshotExpiryTest {
  @TempDir Path dir;
  private TestPlatform platform;

  @BeforeEach
  void start() {
    platform = new TestPlatform(dir.resolve("data"));
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  /** An empty commit with a summary, a few milliseconds after the one before. */
  private static long commit(Table table, Map<String, String> summary) throws Exception {
    Thread.sleep(3);
    AppendFiles append = table.newAppend();
    summary.forEach(append::set);
    append.commit();
    return table.currentSnapshot().snapshotId();
  }

  private Table table(String name) {
    return platform.lake.createTable(
        DatasetPath.of("raw", name),
        new Schema(Types.NestedField.optional(1, "id", Types.LongType.get())),
        org.apache.iceberg.PartitionSpec.unpartitioned(),
        Map.of());
  }

  static List<Long> snapshots(Table table) {
    table.refresh();
    List<Long> ids = new ArrayList<>();
    table.snapshots().forEach(snapshot -> ids.add(snapshot.snapshotId()));
    return ids;
  }

  @Test
  void keepsTheNewestCommitOfEachOffsetTheFilesListsAndTheLatestLoad() throws Exception {
    Table table = table("t");
    String p0 = "dataflow.kafka.t-0";
    String p1 = "dataflow.kafka.t-1";
    long old = commit(table, Map.of(Offsets.PIPELINE, "k", p0, "1", p1, "1"));
    commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "1"));
    long partitionOne = commit(table, Map.of(Offsets.PIPELINE, "k", p1, "7"));
    commit(table, Map.of("compaction", "true"));
    long files = commit(table, Map.of(Offsets.PIPELINE, "f", Offsets.FILES, "[\"a.csv\"]"));
    commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "1"));
    commit(table, Map.of(Offsets.PIPELINE, "f", Offsets.FILES, "[\"b.csv\"]"));
    long load = commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "2"));
    commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "2"));
    long latest = commit(table, Map.of(Offsets.PIPELINE, "k", p0, "12"));
    Thread.sleep(3);

    // the oldest commit k needs holds t-1; only the commits before it can go
    assertThat(SnapshotExpiry.expire(table, "other", Duration.ZERO, System.currentTimeMillis()))
        .isEqualTo(2);
    assertThat(snapshots(table)).doesNotContain(old).contains(partitionOne, files, load, latest);
    assertThat(Offsets.latest(table, "k", p0)).isEqualTo("12");
    assertThat(Offsets.latest(table, "k", p1)).isEqualTo("7");

    // once a newer commit holds t-1, everything before the files lists' first can go
    long newer = commit(table, Map.of(Offsets.PIPELINE, "k", p1, "9"));
    Thread.sleep(3);
    assertThat(SnapshotExpiry.expire(table, "other", Duration.ZERO, System.currentTimeMillis()))
        .isEqualTo(2);
    assertThat(snapshots(table)).doesNotContain(partitionOne).contains(files, load, newer);
    assertThat(Offsets.committedFiles(table, "f")).containsExactlyInAnyOrder("a.csv", "b.csv");
    assertThat(Offsets.latest(table, "j", JdbcReader.LOAD)).isEqualTo("2");

    // within keep, nothing goes
    assertThat(
            SnapshotExpiry.expire(table, "other", Duration.ofHours(1), System.currentTimeMillis()))
        .isZero();
  }

  @Test
  void keepsEveryCommitOfTheLatestFullLoadForARetryToTakeBack() throws Exception {
    Table table = table("loaded");
    long firstOfLoad = commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "5"));
    commit(table, Map.of(Offsets.PIPELINE, "k", "dataflow.kafka.t-0", "1"));
    commit(table, Map.of(Offsets.PIPELINE, "k", "dataflow.kafka.t-0", "2"));
    commit(table, Map.of(Offsets.PIPELINE, "j", JdbcReader.LOAD, "5"));
    Thread.sleep(3);

    assertThat(SnapshotExpiry.expire(table, "other", Duration.ZERO, System.currentTimeMillis()))
        .isZero();
    assertThat(snapshots(table)).contains(firstOfLoad);
  }

  @Test
  void carriesThePipelinesOwnOldOffsetsForwardSoTheirCommitCanGo() throws Exception {
    Table table = table("carried");
    String lsn = "dataflow.cdc.lsn";
    String history = "dataflow.cdc.schema_history";
    long quiet =
        commit(table, Map.of(Offsets.PIPELINE, "c", Offsets.BATCH, "b1", lsn, "1", history, "h"));
    commit(table, Map.of(Offsets.PIPELINE, "other", "dataflow.kafka.u-0", "4"));
    commit(table, Map.of(Offsets.PIPELINE, "c", Offsets.BATCH, "b2", lsn, "2"));
    long latest = commit(table, Map.of(Offsets.PIPELINE, "c", Offsets.BATCH, "b3", lsn, "3"));
    Thread.sleep(3);

    // the schema history was last written in the first commit: c's offsets go into a commit of
    // their own, and the first commit can go; the other writer's commit still holds its offset
    assertThat(SnapshotExpiry.expire(table, "c", Duration.ZERO, System.currentTimeMillis()))
        .isEqualTo(1);
    assertThat(table.currentSnapshot().summary())
        .containsEntry(Offsets.PIPELINE, "c")
        .containsEntry(lsn, "3")
        .containsEntry(history, "h")
        .doesNotContainKey(Offsets.BATCH);
    assertThat(snapshots(table)).doesNotContain(quiet).contains(latest);
    assertThat(Offsets.latest(table, "c", history)).isEqualTo("h");
    assertThat(Offsets.latest(table, "other", "dataflow.kafka.u-0")).isEqualTo("4");
    assertThat(Offsets.hasBatch(table, "c", "b3")).isTrue();

    // nothing stale is left: a second round carries nothing
    long before = table.currentSnapshot().snapshotId();
    SnapshotExpiry.expire(table, "c", Duration.ZERO, System.currentTimeMillis());
    assertThat(table.currentSnapshot().snapshotId()).isEqualTo(before);
  }

  @Test
  void neverCarriesAKafkaPartitionThatAnotherWorkerMayBeCommitting() throws Exception {
    Table table = table("partitions");
    String quietPartition = "dataflow.kafka.t-1";
    long quiet =
        commit(
            table, Map.of(Offsets.PIPELINE, "k", "dataflow.kafka.t-0", "1", quietPartition, "7"));
    commit(table, Map.of(Offsets.PIPELINE, "k", "dataflow.kafka.t-0", "2"));
    commit(table, Map.of(Offsets.PIPELINE, "k", "dataflow.kafka.t-0", "3"));
    Thread.sleep(3);

    // the quiet partition's commit stays, and holds back the expiry of what follows it
    assertThat(SnapshotExpiry.expire(table, "k", Duration.ZERO, System.currentTimeMillis()))
        .isZero();
    assertThat(table.currentSnapshot().summary()).containsEntry("dataflow.kafka.t-0", "3");
    assertThat(snapshots(table)).contains(quiet).hasSize(3);
  }

  @Test
  void aContinuousFilesPipelineNeverLoadsAFileAgainAfterExpiry() throws Exception {
    Path source = Files.createDirectories(dir.resolve("in"));
    platform.pipelines.apply(
        """
        name: orders
        origin: {type: files, path: %s, glob: "*.csv", format: csv}
        destination: {table: raw.orders}
        mode: continuous
        commit: {compact_interval: 1ms, keep_snapshots: 1ms}
        """
            .formatted(source),
        dir.resolve("orders.yaml"));
    Files.writeString(source.resolve("a.csv"), "id\n1\n2\n");
    platform.pipelines.runOnce("orders");
    Files.writeString(source.resolve("b.csv"), "id\n3\n");
    platform.pipelines.runOnce("orders");
    Thread.sleep(3);
    Files.writeString(source.resolve("c.csv"), "id\n4\n");
    // this run's expiry would drop the commits of a.csv and b.csv if it did not keep files lists
    platform.pipelines.runOnce("orders");
    assertThat(platform.pipelines.runOnce("orders").files()).as("nothing new").isZero();
    assertThat(platform.rows("SELECT count(*), count(DISTINCT id) FROM raw.orders"))
        .containsExactly("4|4");
  }
}
