package dev.dataflow.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jdbc origin against a real PostgreSQL 17, through the real pipeline runtime and lake. */
class JdbcReaderTest {
  static final int ROWS = 20_000;
  static EmbeddedPostgres postgres;
  static String url;

  @TempDir Path dir;
  TestPlatform platform;
  Lake lake;
  SqlService sql;
  Pipelines pipelines;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    url = postgres.getJdbcUrl("postgres", "postgres");
    execute(createSource("src", ROWS));
  }

  /**
   * A table of mixed types, with text that needs COPY escapes (tabs, newlines, backslashes,
   * quotes).
   */
  static String createSource(String table, int rows) {
    return """
        CREATE TABLE %1$s (
          id bigint PRIMARY KEY, amount numeric(12,2), price float8, qty int4, small int2, name text,
          code varchar(10), flag bool, day date, ts timestamp, tstz timestamptz, uid uuid, payload bytea,
          note text, updated_at timestamp);
        INSERT INTO %1$s SELECT i, (i * 1.25)::numeric(12,2), i / 4.0, i %% 1000, (i %% 100)::int2,
          'name ' || i, 'c' || (i %% 50), i %% 2 = 0, DATE '2024-01-01' + (i %% 365),
          TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '1 second',
          TIMESTAMPTZ '2024-01-01 00:00:00+00' + i * INTERVAL '1 minute',
          md5(i::text)::uuid, decode(lpad(to_hex(i), 8, '0'), 'hex'),
          CASE WHEN i %% 10 = 0 THEN NULL ELSE E'tab\\there\\nnewline \\\\ back ''q'' é ' || i END,
          TIMESTAMP '2024-06-01 00:00:00' + (i / 3) * INTERVAL '1 second'
        FROM generate_series(1, %2$d) AS i;
        """
        .formatted(table, rows);
  }

  static void execute(String statements) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(statements);
    }
  }

  static String pg(String query) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      result.next();
      return result.getString(1);
    }
  }

  static List<String> pgRows(String query) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      List<String> rows = new java.util.ArrayList<>();
      while (result.next()) {
        rows.add(result.getString(1));
      }
      return rows;
    }
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
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  static String yaml(String name, String origin, String table, String extra) {
    return """
        name: %s
        origin:
          type: jdbc
          url: "%s"
          user: postgres
        %s
        destination:
          table: %s
          mode: append
        %s
        """
        .formatted(name, url, origin.indent(2).stripTrailing(), table, extra);
  }

  void apply(String name, String yaml) {
    pipelines.apply(yaml, dir.resolve(name + ".yaml"));
  }

  List<String> rows(String query) {
    return platform.rows(query);
  }

  String one(String query) {
    return rows(query).get(0);
  }

  @Test
  void fullLoadEqualsTheSourceWithItsTypes() throws Exception {
    apply("full", yaml("full", "table: src", "raw.full", ""));
    RunRecord run = pipelines.runOnce("full");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(run.rowsIn()).isEqualTo(ROWS);
    assertThat(
            one(
                "SELECT count(*), count(DISTINCT id), sum(amount), sum(qty), CAST(sum(price) * 4 AS BIGINT) FROM raw.full"))
        .isEqualTo(
            pg(
                "SELECT count(*) || '|' || count(DISTINCT id) || '|' || sum(amount) || '|' || sum(qty) || '|' "
                    + "|| (sum(price) * 4)::bigint FROM src"));
    // int2 arrives as INTEGER: the lake (Iceberg) has no 16-bit integer
    String types =
        one(
            "SELECT typeof(id), typeof(amount), typeof(price), typeof(qty), typeof(small), typeof(name), "
                + "typeof(flag), typeof(day), typeof(ts), typeof(tstz), typeof(uid), typeof(payload) FROM raw.full LIMIT 1");
    assertThat(types)
        .isEqualTo(
            "BIGINT|DECIMAL(12,2)|DOUBLE|INTEGER|INTEGER|VARCHAR|BOOLEAN|DATE|TIMESTAMP|TIMESTAMP WITH TIME ZONE|UUID|BLOB");
    assertThat(
            one(
                "SELECT amount, price, qty, small, name, code, flag, CAST(day AS VARCHAR), CAST(ts AS VARCHAR), "
                    + "CAST(epoch(tstz) AS BIGINT), CAST(uid AS VARCHAR), hex(payload), note FROM raw.full WHERE id = 12345"))
        .isEqualTo(
            "15431.25|3086.25|345|45|name 12345|c45|false|"
                + pg("SELECT day::text FROM src WHERE id = 12345")
                + "|2024-01-01 03:25:45|"
                + pg("SELECT extract(epoch FROM tstz)::bigint FROM src WHERE id = 12345")
                + "|"
                + pg("SELECT uid::text FROM src WHERE id = 12345")
                + "|00003039|"
                + "tab\there\nnewline \\ back 'q' é 12345");
    assertThat(one("SELECT count(*) FROM raw.full WHERE note IS NULL")).isEqualTo("2000");
  }

  /**
   * PostgreSQL's text format escapes backslashes and control characters: each value must come back
   * as it was, whether the write reads the spool files directly or a stage reads them first.
   */
  @Test
  void textValuesComeBackAsTheyWereThroughCopyEscapes() throws Exception {
    execute(
        """
        CREATE TABLE escapes (id int, v text);
        INSERT INTO escapes VALUES (1, ''), (2, NULL), (3, E'a\\\\nb'), (4, E'\\\\'),
          (5, E'x\\ty\\rz\\bw\\fv' || chr(11) || 'u'), (6, E'\\\\\\\\t'), (7, E'q"q,\\\\N'), (8, E'\\\\N');
        """);
    apply("direct", yaml("direct", "table: escapes", "raw.escapes_direct", ""));
    apply(
        "staged",
        yaml(
            "staged",
            "table: escapes",
            "raw.escapes_staged",
            "transforms:\n  - {name: same, sql: SELECT * FROM input}"));
    for (String table : List.of("raw.escapes_direct", "raw.escapes_staged")) {
      String name = table.substring(table.indexOf('_') + 1);
      RunRecord run = pipelines.runOnce(name);
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(rows("SELECT id, coalesce(hex(encode(v)), 'NULL') FROM " + table + " ORDER BY id"))
          .as(table)
          .containsExactlyElementsOf(
              pgRows(
                  "SELECT id || '|' || coalesce(upper(encode(convert_to(v, 'UTF8'), 'hex')), 'NULL')"
                      + " FROM escapes ORDER BY id"));
    }
  }

  @Test
  void aViewAPartitionedTableAndTablesWithGeneratedColumnsOrChildrenAreCopiedThroughAQuery()
      throws Exception {
    // COPY's table form, used for an ordinary table, refuses the first two, leaves out the third's
    // generated column and the fourth's children's rows
    execute(
        """
        CREATE VIEW src_view AS SELECT id, amount FROM src WHERE id <= 10;
        CREATE TABLE generated (id int, twice int GENERATED ALWAYS AS (id * 2) STORED, v text);
        INSERT INTO generated (id, v) SELECT i, 'v' || i FROM generate_series(1, 50) i;
        CREATE TABLE parent (id int);
        CREATE TABLE child () INHERITS (parent);
        INSERT INTO parent VALUES (1);
        INSERT INTO child VALUES (2), (3);
        CREATE TABLE parted (id int, v text) PARTITION BY RANGE (id);
        CREATE TABLE parted_low PARTITION OF parted FOR VALUES FROM (0) TO (100);
        CREATE TABLE parted_high PARTITION OF parted FOR VALUES FROM (100) TO (1000);
        INSERT INTO parted SELECT i, 'v' || i FROM generate_series(1, 300) i;
        """);
    apply("viewed", yaml("viewed", "table: src_view", "raw.viewed", ""));
    apply("parted", yaml("parted", "table: parted", "raw.parted", ""));
    apply("generated", yaml("generated", "table: generated", "raw.generated", ""));
    apply("inherited", yaml("inherited", "table: parent", "raw.inherited", ""));
    for (String name : List.of("viewed", "parted", "generated", "inherited")) {
      RunRecord run = pipelines.runOnce(name);
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    }
    assertThat(one("SELECT count(*), sum(amount) FROM raw.viewed"))
        .isEqualTo("10|" + pg("SELECT sum(amount) FROM src WHERE id <= 10"));
    assertThat(one("SELECT count(*), min(id), max(id), max(length(v)) FROM raw.parted"))
        .isEqualTo("300|1|300|4");
    assertThat(one("SELECT count(*), sum(twice), max(v) FROM raw.generated"))
        .isEqualTo("50|2550|v9");
    assertThat(one("SELECT count(*), sum(id) FROM raw.inherited")).isEqualTo("3|6");
  }

  @Test
  void splitLoadReadsEveryRowOnce() throws Exception {
    assertLoadsSrcOnce("split", "table: src\nsplit: {column: id, parallelism: 3}");
  }

  /**
   * Runs pipeline {@code name} from {@code origin} into raw.{@code name}: every row of src once.
   */
  private void assertLoadsSrcOnce(String name, String origin) throws Exception {
    apply(name, yaml(name, origin, "raw." + name, ""));
    RunRecord run = pipelines.runOnce(name);
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(
            one(
                "SELECT count(*), count(DISTINCT id), min(id), max(id), sum(amount) FROM raw."
                    + name))
        .isEqualTo(ROWS + "|" + ROWS + "|1|" + ROWS + "|" + pg("SELECT sum(amount) FROM src"));
  }

  @Test
  void aSplitWithoutAColumnReadsAPostgresTableByPageRanges() throws Exception {
    assertLoadsSrcOnce("pages", "table: src\nsplit: {parallelism: 3}");

    apply(
        "pages_query",
        yaml("pages_query", "query: SELECT * FROM src\nsplit: {parallelism: 3}", "raw.pq", ""));
    RunRecord query = pipelines.runOnce("pages_query");
    assertThat(query.status()).isEqualTo(PipelineState.FAILED);
    assertThat(query.error()).contains("split.column").contains("PostgreSQL table");
  }

  @Test
  void queryOrigin() throws Exception {
    apply(
        "q",
        yaml(
            "q",
            "query: \"SELECT id, amount * 2 AS doubled FROM src WHERE id <= 100\"",
            "raw.q",
            ""));
    RunRecord run = pipelines.runOnce("q");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(one("SELECT count(*), CAST(sum(doubled) * 100 AS BIGINT) FROM raw.q"))
        .isEqualTo("100|" + pg("SELECT (sum(amount * 2) * 100)::bigint FROM src WHERE id <= 100"));
    // an unconstrained numeric (the type of amount * 2) is read as DOUBLE, like DuckDB's postgres
    // scanner
    assertThat(one("SELECT typeof(doubled) FROM raw.q LIMIT 1")).isEqualTo("DOUBLE");
  }

  @Test
  void incrementalReadsOnlyNewRowsAndKeepsTiesTogether() throws Exception {
    execute("CREATE TABLE inc AS SELECT * FROM src");
    // updated_at repeats every 3 rows, so max_rows 1000 cuts inside a tie: ties must stay in one
    // batch
    apply(
        "inc",
        yaml(
            "inc",
            "table: inc\ncursor: {column: updated_at}",
            "raw.inc",
            "commit: {max_rows: 1000}"));
    RunRecord first = pipelines.runOnce("inc");
    assertThat(first.status()).as(first.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(first.rowsIn()).isEqualTo(ROWS);
    assertThat(one("SELECT count(*), count(DISTINCT id) FROM raw.inc"))
        .isEqualTo(ROWS + "|" + ROWS);

    execute(
        "INSERT INTO inc SELECT id + 100000, amount, price, qty, small, name, code, flag, day, ts, tstz, uid, "
            + "payload, note, updated_at + INTERVAL '10 days' FROM src WHERE id <= 500");
    RunRecord second = pipelines.runOnce("inc");
    assertThat(second.status()).as(second.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(second.rowsIn()).isEqualTo(500);
    assertThat(one("SELECT count(*), count(DISTINCT id), sum(amount) FROM raw.inc"))
        .isEqualTo((ROWS + 500) + "|" + (ROWS + 500) + "|" + pg("SELECT sum(amount) FROM inc"));

    RunRecord third = pipelines.runOnce("inc");
    assertThat(third.status()).isEqualTo(PipelineState.FINISHED);
    assertThat(third.rowsIn()).isZero();
    assertThat(one("SELECT count(*) FROM raw.inc")).isEqualTo(String.valueOf(ROWS + 500));
  }

  @Test
  void anUnsetPasswordVariableFailsClearly() {
    apply(
        "pw",
        yaml("pw", "table: src\npassword: ${env:DATAFLOW_TEST_UNSET_PASSWORD}", "raw.pw", ""));
    RunRecord run = pipelines.runOnce("pw");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("DATAFLOW_TEST_UNSET_PASSWORD").contains("not set");
  }

  @Test
  void aConnectionLostMidCopyFailsTheRunAndCommitsNothing() throws Exception {
    // the source query kills its own backend after 15 000 rows: the COPY stream breaks mid-load
    apply(
        "dies",
        yaml(
            "dies",
            """
        query: "SELECT id, amount, CASE WHEN id = 15000 THEN pg_terminate_backend(pg_backend_pid()) END AS boom FROM src"
        split: {column: id, parallelism: 2}""",
            "raw.dies",
            ""));
    RunRecord run = pipelines.runOnce("dies");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error())
        .contains("reading jdbc:postgresql://")
        .contains("failed")
        .doesNotContain("password=");
    assertThat(lake.tableOrNull(dev.dataflow.api.DatasetPath.parse("raw.dies")))
        .as("nothing committed")
        .isNull();
  }

  @Test
  void aFullLoadCommitsInBatchesOfMaxRowsAndOverwriteReplacesTheTableOncePerRun() throws Exception {
    apply(
        "batches",
        yaml(
                "batches",
                "table: src\nsplit: {column: id, parallelism: 2}",
                "raw.batches",
                "commit: {max_rows: 7000}")
            .replace("mode: append", "mode: overwrite"));
    for (int run = 0; run < 2; run++) {
      RunRecord record = pipelines.runOnce("batches");
      assertThat(record.status()).as(record.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(record.rowsOut()).isEqualTo(ROWS);
      assertThat(one("SELECT count(*) || '|' || count(DISTINCT id) FROM raw.batches"))
          .isEqualTo(ROWS + "|" + ROWS);
    }
    assertThat(commits("raw.batches")).as("3 batches a run, 2 runs").isEqualTo(6);
    // the spool files ahead of the batches and those the batches' input viewed are all gone
    try (var left = java.nio.file.Files.walk(sql.dataDirectory().resolve("spool"))) {
      assertThat(left.filter(java.nio.file.Files::isRegularFile)).isEmpty();
    }
  }

  @Test
  void aFullLoadRetriedAfterACrashBetweenCommitsWritesItsErrorRecordsOnce() {
    apply(
        "retry",
        yaml(
                "retry",
                "table: src",
                "raw.retry",
                "constraints: {checks: [{name: round, sql: \"id % 1000 <> 0\"}]}\n"
                    + "commit: {max_rows: 7000}")
            .replace("mode: append", "mode: overwrite"));
    assertThat(pipelines.runOnce("retry").rowsError()).isEqualTo(20);
    // the state a crash between the error table's commit and the destination's leaves: the
    // destination lacks the load's last batch, the error table holds it
    Table table = lake.tableOrNull(DatasetPath.parse("raw.retry"));
    table.manageSnapshots().rollbackTo(table.currentSnapshot().parentId()).commit();

    RunRecord retried = pipelines.runOnce("retry");
    assertThat(retried.status()).as(retried.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(one("SELECT count(*) FROM raw.retry")).isEqualTo(String.valueOf(ROWS - 20));
    assertThat(one("SELECT count(*) || '|' || count(DISTINCT raw) FROM raw.retry_errors"))
        .isEqualTo("20|20");
  }

  @Test
  void anAppendFullLoadRetriedAfterACrashNeitherRepeatsNorLosesRows() {
    apply(
        "again",
        yaml(
            "again",
            "table: src\nsplit: {column: id, parallelism: 2}",
            "raw.again",
            "constraints: {checks: [{name: round, sql: \"id % 1000 <> 0\"}]}\n"
                + "commit: {max_rows: 7000}"));
    assertThat(pipelines.runOnce("again").status()).isEqualTo(PipelineState.FINISHED);
    assertThat(pipelines.runOnce("again").status()).isEqualTo(PipelineState.FINISHED);
    // the state a crash after the second load's first two batches leaves: its last batch is
    // missing from both tables
    for (String path : List.of("raw.again", "raw.again_errors")) {
      Table table = lake.tableOrNull(DatasetPath.parse(path));
      table.manageSnapshots().rollbackTo(table.currentSnapshot().parentId()).commit();
    }

    RunRecord retried = pipelines.runOnce("again");
    assertThat(retried.status()).as(retried.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(one("SELECT count(*) || '|' || count(DISTINCT id) FROM raw.again"))
        .as("two loads of the good rows, each once")
        .isEqualTo(2 * (ROWS - 20) + "|" + (ROWS - 20));
    assertThat(one("SELECT count(*) || '|' || count(DISTINCT raw) FROM raw.again_errors"))
        .isEqualTo("40|20");
  }

  @Test
  void anAppendFullLoadWhoseFilesWereCompactedSinceIsNotRetriedBlindly() {
    apply("packed", yaml("packed", "table: src", "raw.packed", "commit: {max_rows: 7000}"));
    assertThat(pipelines.runOnce("packed").status()).isEqualTo(PipelineState.FINISHED);
    Table table = lake.tableOrNull(DatasetPath.parse("raw.packed"));
    table.manageSnapshots().rollbackTo(table.currentSnapshot().parentId()).commit();
    assertThat(pipelines.compact("packed")).as("the two batches' files rewritten").isEqualTo(2);

    RunRecord retried = pipelines.runOnce("packed");
    assertThat(retried.status()).isEqualTo(PipelineState.FAILED);
    assertThat(retried.error())
        .contains("cannot retry the interrupted load")
        .contains("raw.packed")
        .contains("mode: overwrite");
    assertThat(one("SELECT count(*) FROM raw.packed")).as("nothing added").isEqualTo("14000");
  }

  /** The commits the pipelines made to a table, over its history. */
  private long commits(String path) {
    Table table = lake.tableOrNull(DatasetPath.parse(path));
    table.refresh();
    long count = 0;
    for (var snapshot : table.snapshots()) {
      count += snapshot.summary().containsKey("dataflow.batch") ? 1 : 0;
    }
    return count;
  }
}
