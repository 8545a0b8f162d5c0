package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
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

  @TempDir Path dir;

  @Test
  void aRandomWorkloadConvergesToEqualTables() throws Exception {
    try (EmbeddedPostgres postgres = CdcFixture.startPostgres();
        TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
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

  /** The workload's statements on each table, run by {@link CdcWorkload}. */
  private static void runWorkload(EmbeddedPostgres postgres, Random random) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      CdcWorkload.run(
          connection,
          CdcWorkload.statements(connection, TABLES, "now()::timestamp(0)"),
          INITIAL_ROWS,
          CHANGES,
          random);
    }
  }
}
