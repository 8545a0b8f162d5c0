package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.LakeRows;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.jdbc.MariaDbServer;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.sql.SqlService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A randomized workload of 100 000 inserts, updates and deletes over three MariaDB tables, captured
 * from the binlog by three continuous cdc pipelines while it runs: every lake table ends equal to
 * its source table, row for row.
 */
class MariaDbCdcWorkloadIT {
  private static final int TABLES = 3;
  private static final int INITIAL_ROWS = 5_000;
  private static final int CHANGES = 100_000;
  private static final String CHECK =
      "SELECT CONCAT(count(*), '|', coalesce(sum(id * 31 + qty), 0)) FROM %s";

  @TempDir Path dir;

  @Test
  void aRandomWorkloadConvergesToEqualTables() throws Exception {
    try (MariaDbServer mariadb =
            MariaDbServer.startOrSkip(Files.createDirectories(dir.resolve("mariadb")), true);
        TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      mariadb.execute("", "CREATE DATABASE shop");
      for (int t = 0; t < TABLES; t++) {
        String name = "w" + t;
        mariadb.execute(
            "shop",
            MariaDbCdcTest.createTable(name, INITIAL_ROWS),
            MariaDbCdcTest.fill(name, 1, INITIAL_ROWS));
        String yaml = MariaDbCdcTest.yaml(mariadb, name, "", "mode: merge\nkey: [id]");
        pipelines.apply(
            yaml.replace("max_interval: 2s", "max_interval: 1s") + "mode: continuous\n",
            dir.resolve(name + ".yaml"));
        pipelines.start(name);
      }
      long started = System.nanoTime();
      runWorkload(mariadb, new Random(42));
      System.out.printf(
          "MariaDB workload of %d changes written in %d ms%n",
          CHANGES, (System.nanoTime() - started) / 1_000_000);
      for (int t = 0; t < TABLES; t++) {
        awaitSameRows(mariadb, sql, "w" + t);
        assertThat(pipelines.status("w" + t).state()).isEqualTo(PipelineState.RUNNING);
      }
      System.out.printf(
          "MariaDB converged %d ms after the workload started%n",
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  /** Waits until the lake table's count and key sum match the source's, then compares all rows. */
  private static void awaitSameRows(MariaDbServer mariadb, SqlService sql, String table)
      throws Exception {
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline) {
      String expected = MariaDbCdcTest.source(mariadb, CHECK.formatted(table)).get(0);
      String actual;
      try {
        actual = LakeRows.of(sql, CHECK.formatted("raw." + table)).get(0);
      } catch (RuntimeException e) {
        actual = "none"; // the first commit creates the table
      }
      if (expected.equals(actual)) {
        break;
      }
      Thread.sleep(500);
    }
    assertThat(
            LakeRows.of(
                sql, "SELECT " + CdcFixture.ROW + " AS r FROM raw." + table + " ORDER BY r"))
        .isEqualTo(
            MariaDbCdcTest.source(
                mariadb,
                "SELECT " + MariaDbCdcTest.SOURCE_ROW + " AS r FROM " + table + " ORDER BY r"));
  }

  /** The workload's statements on each table, run by {@link CdcWorkload}. */
  private static void runWorkload(MariaDbServer mariadb, Random random) throws Exception {
    try (Connection connection = mariadb.connect("shop")) {
      CdcWorkload.run(
          connection,
          CdcWorkload.statements(connection, TABLES, "CAST(now() AS DATETIME)"),
          INITIAL_ROWS,
          CHANGES,
          random);
    }
  }
}
