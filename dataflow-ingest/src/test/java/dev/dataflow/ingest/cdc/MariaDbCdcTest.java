package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.LakeRows;
import dev.dataflow.ingest.SourceRows;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.jdbc.MariaDbServer;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.List;
import org.apache.iceberg.Snapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cdc origin against a real MariaDB's binlog (Debian's mariadbd), through the runtime. */
class MariaDbCdcTest {
  /** A row as text, the same on both sides: MariaDB's CONCAT and DuckDB's ||. */
  static final String SOURCE_ROW =
      "CONCAT(id, '|', COALESCE(name, 'null'), '|', COALESCE(amount, 'null'), '|',"
          + " COALESCE(qty, 'null'), '|', COALESCE(ts, 'null'))";

  @TempDir static Path serverDir;
  static MariaDbServer mariadb;

  @TempDir Path dir;
  TestPlatform platform;
  Lake lake;
  SqlService sql;
  Pipelines pipelines;

  @BeforeAll
  static void startMariaDb() throws Exception {
    mariadb = MariaDbServer.startOrSkip(serverDir, true);
    mariadb.execute("", "CREATE DATABASE shop");
  }

  @AfterAll
  static void stopMariaDb() throws Exception {
    if (mariadb != null) {
      mariadb.close();
    }
  }

  @BeforeEach
  void start() {
    platform = new TestPlatform(dir.resolve("data"));
    lake = platform.lake;
    sql = platform.sql;
    pipelines = platform.pipelines;
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  void execute(String... statements) throws Exception {
    mariadb.execute("shop", statements);
  }

  static String createTable(String table, int rows) {
    return """
        CREATE TABLE %1$s (id BIGINT PRIMARY KEY, name TEXT, amount DECIMAL(12,2), qty INT,
          ts DATETIME)"""
        .formatted(table, rows);
  }

  static String fill(String table, int from, int to) {
    return ("INSERT INTO %s SELECT seq, CONCAT('name ', seq), seq * 1.25, seq %% 100,"
            + " TIMESTAMP '2024-01-01 00:00:00' + INTERVAL seq SECOND FROM seq_%d_to_%d")
        .formatted(table, from, to);
  }

  void apply(String name, String origin, String mode) {
    pipelines.apply(yaml(name, origin, mode), dir.resolve(name + ".yaml"));
  }

  String yaml(String name, String origin, String mode) {
    return yaml(mariadb, name, origin, mode);
  }

  static String yaml(MariaDbServer mariadb, String name, String origin, String mode) {
    return """
        name: %s
        origin:
          type: cdc
          url: "%s"
          user: root
          table: %s
        %s
        destination:
          table: raw.%s
        %s
        commit: {max_rows: 5000, max_interval: 2s}
        """
        .formatted(
            name,
            mariadb.url("shop"),
            name,
            origin.indent(2).stripTrailing(),
            name,
            mode.indent(2).stripTrailing());
  }

  RunRecord run(String name) {
    RunRecord run = pipelines.runOnce(name);
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    return run;
  }

  List<String> source(String query) throws Exception {
    return source(mariadb, query);
  }

  static List<String> source(MariaDbServer mariadb, String query) throws Exception {
    try (Connection connection = mariadb.connect("shop")) {
      return SourceRows.of(connection, query);
    }
  }

  List<String> lakeRows(String query) {
    return LakeRows.of(sql, query);
  }

  void assertSameRows(String table) throws Exception {
    List<String> expected = source("SELECT " + SOURCE_ROW + " AS r FROM " + table + " ORDER BY r");
    List<String> actual =
        lakeRows("SELECT " + CdcFixture.ROW + " AS r FROM raw." + table + " ORDER BY r");
    assertThat(actual).hasSize(expected.size()).isEqualTo(expected);
  }

  @Test
  void snapshotThenChangesAppliedByKey() throws Exception {
    execute(createTable("orders", 3000), fill("orders", 1, 3000));
    apply("orders", "", "mode: merge\nkey: [id]");
    RunRecord first = run("orders");
    assertThat(first.rowsIn()).isEqualTo(3000);
    assertSameRows("orders");
    execute(
        "UPDATE orders SET name = CONCAT('changed ', id), amount = amount * 2 WHERE id % 7 = 0",
        "DELETE FROM orders WHERE id % 11 = 0",
        "INSERT INTO orders SELECT seq, NULL, NULL, NULL, NULL FROM seq_3001_to_3500",
        "UPDATE orders SET qty = -1 WHERE id BETWEEN 3001 AND 3010",
        "DELETE FROM orders WHERE id BETWEEN 3400 AND 3500",
        "INSERT INTO orders VALUES (3450, 're-inserted', 1.5, 2, NULL)");
    run("orders");
    assertSameRows("orders");
    assertThat(lakeRows("SELECT name FROM raw.orders WHERE id = 3450"))
        .containsExactly("re-inserted");
  }

  @Test
  void eachRunResumesAtTheCommittedBinlogPosition() throws Exception {
    execute(createTable("resumed", 100), fill("resumed", 1, 100));
    apply("resumed", "changelog: true", "mode: append");
    run("resumed");
    execute(fill("resumed", 101, 300), "UPDATE resumed SET qty = qty + 1 WHERE id <= 50");
    run("resumed");
    run("resumed"); // nothing new: nothing read twice
    execute("DELETE FROM resumed WHERE id > 280");
    run("resumed");
    // every change exactly once: 100 snapshot rows, 200 inserts, 50 updates, 20 deletes
    assertThat(lakeRows("SELECT __op, count(*) FROM raw.resumed GROUP BY __op ORDER BY __op"))
        .containsExactly("c|200", "d|20", "r|100", "u|50");
    assertThat(lakeRows("SELECT count(DISTINCT (__op, id, qty)) FROM raw.resumed"))
        .containsExactly("370");
    var table = lake.tableOrNull(DatasetPath.parse("raw.resumed"));
    Snapshot last = table.currentSnapshot();
    assertThat(last.summary().get(CdcReader.OFFSET)).contains("\"file\"").contains("\"pos\"");
  }

  @Test
  void aStopInsideOneLargeTransactionResumesWithinIt() throws Exception {
    execute(createTable("large", 1), fill("large", 1, 1));
    apply("large", "changelog: true", "mode: append");
    run("large");
    execute(fill("large", 2, 20_001)); // one transaction, many row events
    String small = yaml("large", "changelog: true", "mode: append").replace("5000", "500");
    pipelines.apply(small + "mode: continuous\n", dir.resolve("large.yaml"));
    pipelines.start("large");
    awaitRows("raw.large", 1_000);
    pipelines.stop("large");
    long first = Long.parseLong(lakeRows("SELECT count(*) FROM raw.large").get(0));
    pipelines.apply(small, dir.resolve("large.yaml"));
    run("large");
    assertThat(first).as("stopped inside the transaction").isLessThan(20_001);
    assertThat(
            lakeRows(
                "SELECT __op, count(*), count(DISTINCT id) FROM raw.large GROUP BY __op"
                    + " ORDER BY __op"))
        .containsExactly("c|20000|20000", "r|1|1");
  }

  void awaitRows(String table, long rows) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (Long.parseLong(lakeRows("SELECT count(*) FROM " + table).get(0)) >= rows) {
          return;
        }
      } catch (RuntimeException e) {
        // not created yet
      }
      Thread.sleep(20);
    }
  }

  @Test
  void changelogKeepsEveryChange() throws Exception {
    execute(createTable("logged", 5), fill("logged", 1, 5));
    apply("logged", "changelog: true", "mode: append");
    run("logged");
    execute("UPDATE logged SET qty = 42 WHERE id = 1", "DELETE FROM logged WHERE id = 2");
    run("logged");
    // a delete keeps the whole row: the binlog has full row images (PostgreSQL only the key)
    assertThat(lakeRows("SELECT __op, id, qty FROM raw.logged ORDER BY __lsn, id"))
        .containsExactly("r|1|1", "r|2|2", "r|3|3", "r|4|4", "r|5|5", "u|1|42", "d|2|2");
    assertThat(lakeRows("SELECT count(*) FROM raw.logged WHERE __source_ts IS NULL"))
        .containsExactly("0");
  }

  @Test
  void addedColumnAndWidenedTypeReachTheLakeAndSurviveARestart() throws Exception {
    execute(createTable("evolving", 100), fill("evolving", 1, 100));
    apply("evolving", "", "mode: merge\nkey: [id]");
    run("evolving");
    execute(
        "ALTER TABLE evolving ADD COLUMN note TEXT",
        "ALTER TABLE evolving MODIFY qty BIGINT",
        "UPDATE evolving SET note = CONCAT('n', id), qty = qty + 5000000000 WHERE id <= 10");
    run("evolving");
    assertSameRows("evolving");
    assertThat(lakeRows("SELECT note, typeof(qty) FROM raw.evolving WHERE id = 3"))
        .containsExactly("n3|BIGINT");
    // the next run decodes the binlog with the schema history committed in the lake
    execute("UPDATE evolving SET note = 'again', qty = 6000000000 WHERE id = 20");
    run("evolving");
    assertSameRows("evolving");
    assertThat(lakeRows("SELECT note, qty FROM raw.evolving WHERE id = 20"))
        .containsExactly("again|6000000000");
  }

  @Test
  void aPurgedBinlogPositionFailsTheRunOrIsLoadedAnewWhenNeeded() throws Exception {
    execute(createTable("purged", 10), fill("purged", 1, 10));
    apply("purged", "", "mode: merge\nkey: [id]");
    run("purged");
    // changes the pipeline never reads: their binlog is purged before it runs again
    execute(
        "INSERT INTO purged VALUES (11, 'while stopped', 1, 1, NULL)",
        "DELETE FROM purged WHERE id = 5");
    purgeBinlogsUpTo(source("SHOW BINLOG STATUS").get(0));
    RunRecord failed = pipelines.runOnce("purged");
    assertThat(failed.status()).isEqualTo(PipelineState.FAILED);
    assertThat(failed.error())
        .contains("cannot resume", "is no longer on the server", "snapshot: when_needed");
    assertThat(lakeRows("SELECT count(*) FROM raw.purged")).containsExactly("10");

    apply("purged", "snapshot: when_needed", "mode: merge\nkey: [id]");
    run("purged");
    assertSameRows("purged"); // row 5 is gone: the table was emptied before the new snapshot
    execute("UPDATE purged SET qty = 7 WHERE id = 11");
    run("purged");
    assertSameRows("purged");
  }

  /**
   * Rotates the binlog and purges every file up to and including {@code file}; MariaDB keeps a file
   * until InnoDB has checkpointed its transactions, so this retries for a while.
   */
  void purgeBinlogsUpTo(String file) throws Exception {
    execute("FLUSH BINARY LOGS");
    long deadline = System.currentTimeMillis() + 30_000;
    while (source("SHOW BINARY LOGS").contains(file) && System.currentTimeMillis() < deadline) {
      List<String> logs = source("SHOW BINARY LOGS");
      execute("PURGE BINARY LOGS TO '" + logs.get(logs.size() - 1) + "'");
      Thread.sleep(200);
    }
    assertThat(source("SHOW BINARY LOGS")).doesNotContain(file);
  }
}
