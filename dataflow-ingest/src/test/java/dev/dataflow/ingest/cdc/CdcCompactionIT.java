package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.iceberg.DataOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.util.SnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A continuous cdc pipeline in merge mode under a stream of small transactions of inserts and
 * updates: its small files are compacted between its commits while it runs, the table stays equal
 * to the source row for row, and a restart from a table whose current snapshot is a compaction
 * resumes from the offsets committed before it (no second snapshot, nothing lost).
 */
class CdcCompactionIT {
  private static final int INITIAL_ROWS = 2_000;
  private static final String PIPELINE = "dataflow.pipeline";

  @TempDir Path dir;

  @Test
  void smallFilesOfAMergeTableAreCompactedWhileTheStreamGoesOn() throws Exception {
    try (EmbeddedPostgres postgres = CdcFixture.startPostgres();
        TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      Lake lake = platform.lake;
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      CdcFixture source = new CdcFixture(postgres, sql, pipelines, dir);
      source.execute(CdcFixture.createTable("c", INITIAL_ROWS));
      apply(source, "1s");
      pipelines.start("c");
      source.awaitRows("raw.c", INITIAL_ROWS, 60_000);
      Random random = new Random(11);
      long next = INITIAL_ROWS + 1;
      long deadline = System.currentTimeMillis() + 60_000;
      while (compactions(table(lake)).isEmpty() && System.currentTimeMillis() < deadline) {
        next = writeChanges(postgres, random, next, 20);
      }
      // the stream goes on after the compaction: its next commits land on top of it
      next = writeChanges(postgres, random, next, 20);
      source.awaitSameRows("c", "raw.c", 60_000);

      List<Snapshot> history = history(table(lake));
      List<Snapshot> compactions = compactions(table(lake));
      assertThat(compactions).as("compactions while the stream ran").isNotEmpty();
      Snapshot compaction = compactions.get(compactions.size() - 1);
      System.out.printf(
          "merge table compacted %d times while streaming; first: %d data files to %d%n",
          compactions.size(),
          dataFiles(table(lake).snapshot(compaction.parentId())),
          dataFiles(compaction));
      assertThat(dataFiles(compaction))
          .as("data files after the first compaction")
          .isLessThan(dataFiles(table(lake).snapshot(compaction.parentId())));
      assertThat(history.subList(0, history.indexOf(compaction)))
          .as("pipeline commits after the first compaction")
          .anyMatch(snapshot -> "c".equals(snapshot.summary().get(PIPELINE)));
      assertThat(table(lake).currentSnapshot().summary().get("total-delete-files")).isEqualTo("0");

      // a restart from a compaction snapshot finds its offsets in the commits before it: two
      // more commits (not compacted in the stream now) make small files to compact on demand
      pipelines.stop("c");
      apply(source, "1h");
      pipelines.start("c");
      for (int i = 0; i < 2; i++) {
        next = writeChanges(postgres, random, next, 5);
        source.awaitSameRows("c", "raw.c", 60_000);
      }
      pipelines.stop("c");
      assertThat(pipelines.compact("c")).isGreaterThanOrEqualTo(2);
      assertThat(table(lake).currentSnapshot().operation()).isEqualTo(DataOperations.REPLACE);
      assertThat(table(lake).currentSnapshot().summary()).doesNotContainKey(PIPELINE);
      writeChanges(postgres, random, next, 10);
      pipelines.start("c");
      source.awaitSameRows("c", "raw.c", 60_000);
      pipelines.stop("c");
      // 10 transactions of 31 changes: a second snapshot would write every row
      assertThat(pipelines.runs("c", 1).get(0).rowsOut()).isBetween(1L, 40L);
    }
  }

  /** The pipeline, compacting its table in the stream every {@code compactInterval}. */
  private static void apply(CdcFixture source, String compactInterval) {
    source.apply(
        "c",
        source
                .yaml("c", "public.c", "", "mode: merge\nkey: [id]")
                .replace(
                    "max_interval: 2s",
                    "max_interval: 1s, compact_interval: "
                        + compactInterval
                        + ", compact_min_files: 4")
            + "mode: continuous\n");
  }

  private static Table table(Lake lake) {
    Table table = lake.tableOrNull(DatasetPath.parse("raw.c"));
    table.refresh();
    return table;
  }

  /** The table's snapshots, newest first. */
  private static List<Snapshot> history(Table table) {
    List<Snapshot> snapshots = new ArrayList<>();
    SnapshotUtil.ancestorsOf(table.currentSnapshot().snapshotId(), table::snapshot)
        .forEach(snapshots::add);
    return snapshots;
  }

  /** The compactions (rewrites that change no row) in the table's history, newest first. */
  private static List<Snapshot> compactions(Table table) {
    return table.currentSnapshot() == null
        ? List.of()
        : history(table).stream()
            .filter(snapshot -> DataOperations.REPLACE.equals(snapshot.operation()))
            .toList();
  }

  private static long dataFiles(Snapshot snapshot) {
    return Long.parseLong(snapshot.summary().get("total-data-files"));
  }

  /**
   * {@code transactions} small transactions, 50 ms apart, each of three inserts of new keys, every
   * tenth with an update of an existing key too; returns the next new key. Mostly inserts: a merge
   * that updates a key rewrites the file holding it together with its new rows into one file, so
   * updates alone do not make small files pile up; inserts of new keys add one file per commit.
   */
  private static long writeChanges(
      EmbeddedPostgres postgres, Random random, long next, int transactions) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        PreparedStatement insert =
            connection.prepareStatement(
                "INSERT INTO c VALUES (?, ?, ?, ?, TIMESTAMP '2024-06-01 00:00:00')");
        PreparedStatement update =
            connection.prepareStatement("UPDATE c SET name = ?, qty = qty + 1 WHERE id = ?")) {
      connection.setAutoCommit(false);
      for (int t = 0; t < transactions; t++) {
        for (int i = 0; i < 3; i++) {
          insert.setLong(1, next);
          insert.setString(2, "new " + next++);
          insert.setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
          insert.setInt(4, random.nextInt(100));
          insert.executeUpdate();
        }
        if (t % 10 == 9) {
          update.setString(1, "upd " + random.nextInt());
          update.setLong(2, 1 + random.nextInt((int) next - 1));
          update.executeUpdate();
        }
        connection.commit();
        Thread.sleep(50);
      }
    }
    return next;
  }
}
