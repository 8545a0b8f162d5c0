package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cdc origin against a real PostgreSQL 17 with logical replication, through the runtime. */
class CdcReaderTest {
  static EmbeddedPostgres postgres;

  @TempDir Path dir;
  TestPlatform platform;
  Lake lake;
  SqlService sql;
  Pipelines pipelines;
  CdcFixture source;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = CdcFixture.startPostgres();
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @BeforeEach
  void start() {
    platform = new TestPlatform(dir.resolve("data"));
    lake = platform.lake;
    sql = platform.sql;
    pipelines = platform.pipelines;
    source = new CdcFixture(postgres, sql, pipelines, dir);
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  void execute(String statements) throws Exception {
    source.execute(statements);
  }

  List<String> pg(String query) throws Exception {
    return source.pg(query);
  }

  List<String> lakeRows(String query) {
    return source.lakeRows(query);
  }

  void assertSameRows(String table, String lakeTable) throws Exception {
    source.assertSameRows(table, lakeTable);
  }

  String yaml(String name, String table, String origin, String destination) {
    return source.yaml(name, table, origin, destination);
  }

  void apply(String name, String yaml) {
    source.apply(name, yaml);
  }

  static String createTable(String table, int rows) {
    return CdcFixture.createTable(table, rows);
  }

  RunRecord run(String name) {
    RunRecord run = pipelines.runOnce(name);
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    return run;
  }

  @Test
  void snapshotThenChangesAppliedByKey() throws Exception {
    execute(createTable("orders", 3000));
    apply("orders", yaml("orders", "public.orders", "", "mode: merge\nkey: [id]"));
    RunRecord first = run("orders");
    assertThat(first.rowsIn()).isEqualTo(3000);
    assertSameRows("orders", "raw.orders");
    execute(
        """
        UPDATE orders SET name = 'changed ' || id, amount = amount * 2 WHERE id % 7 = 0;
        DELETE FROM orders WHERE id % 11 = 0;
        INSERT INTO orders SELECT i, NULL, NULL, NULL, NULL FROM generate_series(3001, 3500) i;
        UPDATE orders SET qty = -1 WHERE id BETWEEN 3001 AND 3010;
        DELETE FROM orders WHERE id BETWEEN 3400 AND 3500;
        INSERT INTO orders VALUES (3450, 're-inserted', 1.5, 2, NULL);
        """);
    run("orders");
    assertSameRows("orders", "raw.orders");
    assertThat(lakeRows("SELECT name FROM raw.orders WHERE id = 3450"))
        .containsExactly("re-inserted");
  }

  @Test
  void slotAdvancesWithCommitsAndIsDroppedWithThePipeline() throws Exception {
    execute(createTable("slotted", 10));
    apply("slotted", yaml("slotted", "public.slotted", "", "mode: merge\nkey: [id]"));
    run("slotted");
    String before = confirmed("dataflow_slotted");
    execute("INSERT INTO slotted SELECT i, 'n', 1, 1, NULL FROM generate_series(11, 500) i");
    run("slotted");
    String after = confirmed("dataflow_slotted");
    assertThat(lsn(after)).isGreaterThan(lsn(before));
    assertSameRows("slotted", "raw.slotted");
    pipelines.delete("slotted");
    assertThat(
            pg("SELECT slot_name FROM pg_replication_slots WHERE slot_name = 'dataflow_slotted'"))
        .isEmpty();
    assertThat(pg("SELECT pubname FROM pg_publication WHERE pubname = 'dataflow_slotted'"))
        .isEmpty();
  }

  @Test
  void aDroppedSlotFailsTheRunOrIsLoadedAnewWhenNeeded() throws Exception {
    execute(createTable("unslotted", 10));
    apply("unslotted", yaml("unslotted", "public.unslotted", "", "mode: merge\nkey: [id]"));
    run("unslotted");
    execute("SELECT pg_drop_replication_slot('dataflow_unslotted')");
    // changes no slot holds any more: resuming would skip them without a word
    execute(
        "INSERT INTO unslotted VALUES (11, 'lost', 1, 1, NULL); DELETE FROM unslotted WHERE id = 5");
    RunRecord failed = pipelines.runOnce("unslotted");
    assertThat(failed.status()).isEqualTo(PipelineState.FAILED);
    assertThat(failed.error())
        .contains("cannot resume", "dataflow_unslotted no longer exists", "snapshot: when_needed");

    apply(
        "unslotted",
        yaml("unslotted", "public.unslotted", "snapshot: when_needed", "mode: merge\nkey: [id]"));
    run("unslotted");
    assertSameRows("unslotted", "raw.unslotted");
    execute("UPDATE unslotted SET qty = 7 WHERE id = 11");
    run("unslotted");
    assertSameRows("unslotted", "raw.unslotted");
  }

  @Test
  void heartbeatsReleaseTheWalOfABusyDatabaseWhileTheTableIsIdle() throws Exception {
    execute(createTable("quiet", 10) + "CREATE TABLE busy (id int, payload text);");
    apply(
        "quiet",
        yaml(
                "quiet",
                "public.quiet",
                """
                heartbeat_interval: 200ms
                heartbeat_query: "SELECT pg_logical_emit_message(false, 'heartbeat', now()::text)"
                """,
                "mode: merge\nkey: [id]")
            + "mode: continuous\n");
    pipelines.start("quiet");
    source.awaitRows("raw.quiet", 10, 60_000);
    // other tables' changes never reach the stream (the publication has only this table)
    execute("INSERT INTO busy SELECT i, repeat('x', 100) FROM generate_series(1, 20000) i");
    long busy = lsn(pg("SELECT pg_current_wal_lsn()::text").get(0));
    long deadline = System.currentTimeMillis() + 30_000;
    while (lsn(confirmed("dataflow_quiet")) < busy && System.currentTimeMillis() < deadline) {
      Thread.sleep(100);
    }
    assertThat(lsn(confirmed("dataflow_quiet"))).isGreaterThanOrEqualTo(busy);
    // the lake held the position before the slot was told
    var table = lake.tableOrNull(dev.dataflow.api.DatasetPath.parse("raw.quiet"));
    table.refresh();
    assertThat(table.currentSnapshot().summary().get("dataflow.batch")).startsWith("position-");
    assertThat(Long.parseLong(table.currentSnapshot().summary().get(CdcReader.LSN)))
        .isGreaterThanOrEqualTo(busy);
    assertSameRows("quiet", "raw.quiet");
    // a restart resumes from a position committed without a change, and changes still arrive
    pipelines.stop("quiet");
    execute("UPDATE quiet SET name = 'after', qty = qty + 1000 WHERE id <= 3");
    pipelines.start("quiet");
    source.awaitSameRows("quiet", "raw.quiet", 30_000);
  }

  String confirmed(String slot) throws Exception {
    return pg("SELECT confirmed_flush_lsn::text FROM pg_replication_slots WHERE slot_name = '"
            + slot
            + "'")
        .get(0);
  }

  static long lsn(String text) {
    String[] parts = text.split("/");
    return (Long.parseLong(parts[0], 16) << 32) + Long.parseLong(parts[1], 16);
  }

  @Test
  void addedColumnAndWidenedTypeReachTheLake() throws Exception {
    execute(createTable("evolving", 100));
    apply("evolving", yaml("evolving", "public.evolving", "", "mode: merge\nkey: [id]"));
    run("evolving");
    execute(
        """
        ALTER TABLE evolving ADD COLUMN note text;
        ALTER TABLE evolving ALTER COLUMN qty TYPE bigint;
        UPDATE evolving SET note = 'n' || id, qty = qty + 5000000000 WHERE id <= 10;
        """);
    run("evolving");
    assertSameRows("evolving", "raw.evolving");
    assertThat(lakeRows("SELECT note, typeof(qty) FROM raw.evolving WHERE id = 3"))
        .containsExactly("n3|BIGINT");
    assertThat(lakeRows("SELECT qty FROM raw.evolving WHERE id = 3")).containsExactly("5000000003");
  }

  @Test
  void changelogKeepsEveryChange() throws Exception {
    execute(createTable("logged", 5));
    apply("logged", yaml("logged", "public.logged", "changelog: true", "mode: append"));
    run("logged");
    execute("UPDATE logged SET qty = 42 WHERE id = 1; DELETE FROM logged WHERE id = 2;");
    run("logged");
    assertThat(lakeRows("SELECT __op, id, qty FROM raw.logged ORDER BY __lsn, id"))
        .containsExactly("r|1|1", "r|2|2", "r|3|3", "r|4|4", "r|5|5", "u|1|42", "d|2|null");
    assertThat(lakeRows("SELECT count(*) FROM raw.logged WHERE __source_ts IS NULL"))
        .containsExactly("0");
  }

  @Test
  void latencyFromSourceCommitToLakeCommitIsMeasured() throws Exception {
    execute(createTable("timed", 10));
    var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    try (Pipelines measured = new Pipelines(sql, registry)) {
      measured.apply(
          yaml("timed", "public.timed", "", "mode: merge\nkey: [id]"), dir.resolve("timed.yaml"));
      long before = System.currentTimeMillis();
      execute("UPDATE timed SET qty = 7");
      RunRecord run = measured.runOnce("timed");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      long elapsed = System.currentTimeMillis() - before;
      var latency =
          registry.find("dataflow.pipeline.commit.latency").tag("pipeline", "timed").timer();
      assertThat(latency.count()).isPositive();
      assertThat(latency.max(java.util.concurrent.TimeUnit.MILLISECONDS))
          .isPositive()
          .isLessThanOrEqualTo(elapsed);
      double lag =
          registry.find("dataflow.pipeline.source.lag").tag("pipeline", "timed").gauge().value();
      assertThat(lag).isPositive().isLessThan(elapsed / 1000.0 + 1);
    }
  }

  @Test
  void aSnapshotCutShortStartsOverAndConverges() throws Exception {
    execute(createTable("cut", 30_000));
    String yaml =
        yaml("cut", "public.cut", "", "mode: merge\nkey: [id]")
            .replace("max_rows: 5000", "max_rows: 1000");
    apply("cut", yaml + "mode: continuous\n");
    pipelines.start("cut");
    source.awaitRows("raw.cut", 1, 60_000);
    pipelines.stop("cut");
    long loaded = Long.parseLong(lakeRows("SELECT count(*) FROM raw.cut").get(0));
    assertThat(loaded).as("stopped inside the snapshot").isLessThan(30_000);
    // rows already in the lake that a new snapshot would not see any more
    execute("DELETE FROM cut WHERE id <= 500; UPDATE cut SET name = 'after' WHERE id % 10 = 0");
    apply("cut", yaml);
    run("cut");
    assertSameRows("cut", "raw.cut");
    // it started over: the table was emptied in one commit before the new snapshot
    var table = lake.tableOrNull(dev.dataflow.api.DatasetPath.parse("raw.cut"));
    assertThat(table.snapshots())
        .anySatisfy(
            snapshot ->
                assertThat(snapshot.summary().get("dataflow.batch")).startsWith("emptied-"));
  }

  @Test
  void applyingNeedsAMergeDestination() throws Exception {
    execute(createTable("appended", 1));
    apply("appended", yaml("appended", "public.appended", "", "mode: append"));
    RunRecord run = pipelines.runOnce("appended");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("set the destination's mode to merge");
  }

  @Test
  void aWrongPasswordFailsTheRunWithoutShowingIt() throws Exception {
    execute(createTable("guarded", 1));
    apply(
        "guarded",
        yaml(
                "guarded",
                "public.guarded",
                "password: not-the-password-123",
                "mode: merge\nkey: [id]")
            .replace("user: postgres", "user: nobody"));
    RunRecord run = pipelines.runOnce("guarded");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("change stream").doesNotContain("not-the-password-123");
    assertThatThrownBy(() -> pipelines.preview("guarded", 5)).hasMessageContaining("no preview");
  }
}
