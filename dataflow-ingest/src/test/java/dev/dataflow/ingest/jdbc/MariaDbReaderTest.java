package dev.dataflow.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The jdbc origin over a real MariaDB (the generic JDBC path: a streamed fetch, not COPY). Skipped,
 * with a message, where mariadbd is not installed.
 */
class MariaDbReaderTest {
  private static final int ROWS = 20_000;
  @TempDir static Path serverDir;
  private static MariaDbServer mariadb;

  @TempDir Path dir;
  private TestPlatform platform;
  private Pipelines pipelines;

  @BeforeAll
  static void startMariaDb() throws Exception {
    mariadb = MariaDbServer.startOrSkip(Files.createDirectories(serverDir.resolve("mariadb")));
    mariadb.execute(
        "",
        "CREATE DATABASE shop",
        "CREATE USER 'app'@'127.0.0.1' IDENTIFIED BY 'app''s secret'",
        "GRANT ALL ON shop.* TO 'app'@'127.0.0.1'",
        """
        CREATE TABLE shop.src (
          id BIGINT PRIMARY KEY, amount DECIMAL(12,2), price DOUBLE, qty INT, small TINYINT,
          big BIGINT UNSIGNED, flag TINYINT(1), name VARCHAR(100), note TEXT, day DATE,
          ts DATETIME(6), stamp TIMESTAMP NULL, payload BLOB, updated_at DATETIME)""",
        // rows from MariaDB's sequence engine; every tenth note is NULL, the rest need quoting
        """
        INSERT INTO shop.src
        SELECT i, i * 1.25, i / 4, i MOD 1000, i MOD 100, 18446744073709551615 - i, i MOD 2,
          CONCAT('name ', i), IF(i MOD 10 = 0, NULL, CONCAT('tab\\there\\nnewline \\\\ "q" é ', i)),
          DATE '2024-01-01' + INTERVAL (i MOD 365) DAY,
          TIMESTAMP '2024-01-01 00:00:00.123456' + INTERVAL i SECOND,
          TIMESTAMP '2024-01-01 00:00:00' + INTERVAL i MINUTE,
          UNHEX(LPAD(HEX(i), 8, '0')),
          TIMESTAMP '2024-06-01 00:00:00' + INTERVAL (i DIV 3) SECOND
        FROM (SELECT seq AS i FROM shop.seq_1_to_%d) AS n"""
            .formatted(ROWS));
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
    pipelines = platform.pipelines;
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  private List<String> rows(String query) {
    return platform.rows(query);
  }

  private void apply(String name, String origin, String extra) {
    pipelines.apply(
        """
        name: %s
        origin:
          type: jdbc
          url: "%s"
          user: app
          password: "app's secret"
        %s
        destination:
          table: raw.%s
          mode: append
        %s
        """
            .formatted(name, mariadb.url("shop"), origin.indent(2).stripTrailing(), name, extra),
        dir.resolve(name + ".yaml"));
  }

  @Test
  void fullLoadKeepsEveryValueAndType() {
    apply("full", "table: src", "");
    RunRecord run = pipelines.runOnce("full");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(run.rowsOut()).isEqualTo(ROWS);
    // Arrow shows a date as days since 1970 (19730 is 2024-01-08), a blob as bytes
    assertThat(rows("SELECT * FROM raw.full WHERE id = 7"))
        .containsExactly(
            "7|8.75|1.75|7|7|18446744073709551608|true|name 7|tab\there\nnewline \\ \"q\" é 7"
                + "|19730|2024-01-01T00:00:07.123456|2024-01-01T00:07|[B@|2024-06-01T00:00:02");
    assertThat(rows("SELECT hex(payload), note IS NULL FROM raw.full WHERE id IN (255, 10)"))
        .containsExactlyInAnyOrder("0000000A|true", "000000FF|false");
    assertThat(
            rows(
                "SELECT typeof(amount), typeof(big), typeof(flag), typeof(ts) FROM raw.full"
                    + " LIMIT 1"))
        .containsExactly("DECIMAL(12,2)|DECIMAL(20,0)|BOOLEAN|TIMESTAMP");
  }

  @Test
  void incrementalByNumberAndByTimestampReadsOnlyNewRowsAndKeepsTiesTogether() throws Exception {
    apply("by_id", "table: src\ncursor: {column: id}", "commit: {max_rows: 7000}");
    // updated_at repeats every three rows: batches must never split the ties
    apply("by_time", "table: src\ncursor: {column: updated_at}", "commit: {max_rows: 7000}");
    assertThat(pipelines.runOnce("by_id").rowsOut()).isEqualTo(ROWS);
    assertThat(pipelines.runOnce("by_time").rowsOut()).isEqualTo(ROWS);

    mariadb.execute(
        "shop",
        "INSERT INTO src (id, updated_at) VALUES (20001, '2030-01-01 00:00:00'),"
            + " (20002, '2030-01-01 00:00:00')");
    assertThat(pipelines.runOnce("by_id").rowsOut()).isEqualTo(2);
    assertThat(pipelines.runOnce("by_time").rowsOut()).isEqualTo(2);
    assertThat(pipelines.runOnce("by_time").rowsOut()).isZero();
    for (String table : List.of("raw.by_id", "raw.by_time")) {
      assertThat(rows("SELECT count(*), count(DISTINCT id) FROM " + table))
          .containsExactly("20002|20002");
    }
    mariadb.execute("shop", "DELETE FROM src WHERE id > 20000");
  }

  @Test
  void splitReadsEveryRowOnceInParallelBatches() {
    apply("split", "table: src\nsplit: {column: id, parallelism: 3}", "commit: {max_rows: 7000}");
    RunRecord run = pipelines.runOnce("split");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(run.rowsOut()).isEqualTo(ROWS);
    assertThat(rows("SELECT count(*), count(DISTINCT id), min(id), max(id) FROM raw.split"))
        .containsExactly("20000|20000|1|20000");
    var table = platform.lake.tableOrNull(DatasetPath.parse("raw.split"));
    assertThat(table.snapshots()).as("20 000 rows in batches of 7 000").hasSize(3);
  }

  @Test
  void theDriverStreamsTheResultInsteadOfBufferingIt() throws Exception {
    try (Connection connection = mariadb.connect("shop");
        Statement statement = connection.createStatement();
        ResultSet result = SourceStream.streamed(connection, statement, "SELECT * FROM src")) {
      // MariaDB Connector/J holds a window of fetch-size rows when streaming, all rows otherwise
      assertThat(result.unwrap(org.mariadb.jdbc.client.result.Result.class))
          .isInstanceOf(org.mariadb.jdbc.client.result.StreamingResult.class);
    }
  }

  @Test
  void aServerKilledMidLoadFailsTheRunCleanlyAndTheNextRunResumes() throws Exception {
    // the row with id 12 000 sleeps on the server: the run is mid-batch when the server dies
    String origin =
        "query: \"SELECT id, name, IF(id = 12000, SLEEP(%d), 0) AS pause FROM src\"\n"
            + "cursor: {column: id}";
    apply("outage", origin.formatted(30), "commit: {max_rows: 5000}");
    CompletableFuture<RunRecord> run =
        CompletableFuture.supplyAsync(() -> pipelines.runOnce("outage"));
    waitForSleep();
    mariadb.kill();
    RunRecord failed = run.get(60, TimeUnit.SECONDS);
    assertThat(failed.status()).isEqualTo(PipelineState.FAILED);
    assertThat(failed.error())
        .contains("reading jdbc:mariadb://127.0.0.1:")
        .contains("failed")
        .doesNotContain("app's secret");
    assertThat(rows("SELECT count(*), max(id) FROM raw.outage"))
        .as("the first two batches committed, the third not")
        .containsExactly("10000|10000");

    mariadb.start();
    apply("outage", origin.formatted(0), "commit: {max_rows: 5000}");
    RunRecord resumed = pipelines.runOnce("outage");
    assertThat(resumed.status()).as(resumed.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(resumed.rowsOut()).isEqualTo(ROWS - 10_000);
    assertThat(rows("SELECT count(*), count(DISTINCT id) FROM raw.outage"))
        .containsExactly("20000|20000");
    assertThat(platform.lake.tableOrNull(DatasetPath.parse("raw.outage_errors"))).isNull();
  }

  /** Waits until a query of the pipeline sleeps on the server. */
  private static void waitForSleep() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Connection connection = mariadb.connect("");
          Statement statement = connection.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT count(*) FROM information_schema.processlist"
                      + " WHERE state = 'User sleep'")) {
        result.next();
        if (result.getLong(1) > 0) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("the pipeline's query never reached the sleeping row");
  }
}
