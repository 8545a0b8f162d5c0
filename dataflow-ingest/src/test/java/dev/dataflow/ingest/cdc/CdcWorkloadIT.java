package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A randomized workload of 100 000 inserts, updates and deletes over three tables, captured by
 * three continuous cdc pipelines while it runs: every lake table ends equal to its source table,
 * row for row.
 */
class CdcWorkloadIT {
  private static final int TABLES = 3;
  private static final int INITIAL_ROWS = 5_000;
  private static final int CHANGES = 100_000;
  private static final int PER_TRANSACTION = 200;

  @TempDir Path dir;

  @Test
  void aRandomWorkloadConvergesToEqualTables() throws Exception {
    try (EmbeddedPostgres postgres = CdcFixture.startPostgres();
        Lake lake = Lake.open(LakeConfig.embedded(dir.resolve("data")));
        SqlService sql = new SqlService(lake, EngineConfig.defaults(dir.resolve("data")));
        Pipelines pipelines = new Pipelines(sql)) {
      CdcFixture source = new CdcFixture(postgres, sql, pipelines, dir);
      for (int t = 0; t < TABLES; t++) {
        source.execute(CdcFixture.createTable("w" + t, INITIAL_ROWS));
        source.apply(
            "w" + t,
            source
                    .yaml("w" + t, "public.w" + t, "", "mode: merge\nkey: [id]")
                    .replace("max_interval: 2s", "max_interval: 1s")
                + "mode: continuous\n");
        pipelines.start("w" + t);
      }
      long started = System.nanoTime();
      runWorkload(postgres, new Random(42));
      System.out.printf(
          "workload of %d changes written in %d ms%n",
          CHANGES, (System.nanoTime() - started) / 1_000_000);
      for (int t = 0; t < TABLES; t++) {
        source.awaitSameRows("w" + t, "raw.w" + t, 120_000);
        assertThat(pipelines.status("w" + t).state()).isEqualTo(PipelineState.RUNNING);
      }
      System.out.printf(
          "converged %d ms after the workload started%n",
          (System.nanoTime() - started) / 1_000_000);
    }
  }

  /** Random changes in transactions: a third inserts, a third updates, a third deletes. */
  private static void runWorkload(EmbeddedPostgres postgres, Random random) throws Exception {
    long[] next = new long[TABLES];
    java.util.Arrays.fill(next, INITIAL_ROWS + 1);
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      connection.setAutoCommit(false);
      List<PreparedStatement[]> statements = new ArrayList<>();
      for (int t = 0; t < TABLES; t++) {
        statements.add(
            new PreparedStatement[] {
              connection.prepareStatement(
                  "INSERT INTO w" + t + " VALUES (?, ?, ?, ?, now()::timestamp(0))"),
              connection.prepareStatement(
                  "UPDATE w" + t + " SET name = ?, amount = ?, qty = qty + 1 WHERE id = ?"),
              connection.prepareStatement("DELETE FROM w" + t + " WHERE id = ?")
            });
      }
      for (int change = 0; change < CHANGES; change++) {
        int t = random.nextInt(TABLES);
        PreparedStatement[] table = statements.get(t);
        long id = 1 + (long) random.nextInt((int) next[t]);
        switch (random.nextInt(3)) {
          case 0 -> {
            table[0].setLong(1, next[t]++);
            table[0].setString(2, "new " + change);
            table[0].setBigDecimal(3, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
            table[0].setInt(4, random.nextInt(100));
            table[0].addBatch();
          }
          case 1 -> {
            table[1].setString(1, random.nextInt(10) == 0 ? null : "upd " + change);
            table[1].setBigDecimal(2, java.math.BigDecimal.valueOf(random.nextInt(100_000), 2));
            table[1].setLong(3, id);
            table[1].addBatch();
          }
          default -> {
            table[2].setLong(1, id);
            table[2].addBatch();
          }
        }
        if ((change + 1) % PER_TRANSACTION == 0) {
          for (PreparedStatement[] each : statements) {
            for (PreparedStatement statement : each) {
              statement.executeBatch();
            }
          }
          connection.commit();
        }
      }
      connection.commit();
    }
  }
}
