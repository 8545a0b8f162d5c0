package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The cdc origin against a real PostgreSQL 17 with logical replication, through the runtime. */
class CdcReaderTest {
  static EmbeddedPostgres postgres;
  static String url;

  @TempDir Path dir;
  Lake lake;
  SqlService sql;
  Pipelines pipelines;

  @BeforeAll
  static void startPostgres() throws Exception {
    postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("wal_level", "logical")
            .setServerConfig("max_replication_slots", "20")
            .setServerConfig("max_wal_senders", "20")
            .start();
    url = postgres.getJdbcUrl("postgres", "postgres");
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    postgres.close();
  }

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir.resolve("data")));
    sql = new SqlService(lake, EngineConfig.defaults(dir.resolve("data")));
    pipelines = new Pipelines(sql);
  }

  @AfterEach
  void stop() {
    pipelines.close();
    sql.close();
    lake.close();
  }

  static void execute(String statements) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(statements);
    }
  }

  static List<String> pg(String query) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(query)) {
      while (result.next()) {
        rows.add(result.getString(1));
      }
    }
    return rows;
  }

  static String yaml(String name, String table, String origin, String destination) {
    return """
        name: %s
        origin:
          type: cdc
          url: "%s"
          user: postgres
          table: %s
        %s
        destination:
          table: raw.%s
        %s
        commit: {max_rows: 5000, max_interval: 2s}
        """
        .formatted(
            name,
            url,
            table,
            origin.indent(2).stripTrailing(),
            name,
            destination.indent(2).stripTrailing());
  }

  void apply(String name, String yaml) {
    pipelines.apply(yaml, dir.resolve(name + ".yaml"));
  }

  RunRecord run(String name) {
    RunRecord run = pipelines.runOnce(name);
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    return run;
  }

  List<String> lakeRows(String query) {
    List<String> rows = new ArrayList<>();
    try (Execution execution = sql.execute("test", query)) {
      while (execution.next()) {
        var batch = execution.batch();
        for (int r = 0; r < batch.getRowCount(); r++) {
          List<String> values = new ArrayList<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            values.add(String.valueOf(vector.getObject(r)));
          }
          rows.add(String.join("|", values));
        }
      }
    }
    return rows;
  }

  /** The rows of a source table and of its lake table, each as one text per row, sorted. */
  static final String ROW =
      "CAST(id AS VARCHAR) || '|' || coalesce(name, 'null') || '|' || "
          + "coalesce(CAST(amount AS VARCHAR), 'null') || '|' || coalesce(CAST(qty AS VARCHAR), 'null')"
          + " || '|' || coalesce(CAST(ts AS VARCHAR), 'null')";

  void assertSameRows(String source, String lakeTable) throws Exception {
    List<String> expected = pg("SELECT " + ROW + " AS r FROM " + source + " ORDER BY r");
    List<String> actual = lakeRows("SELECT " + ROW + " AS r FROM " + lakeTable + " ORDER BY r");
    assertThat(actual).hasSize(expected.size()).isEqualTo(expected);
  }

  static String createTable(String table, int rows) {
    return """
        CREATE TABLE %1$s (id bigint PRIMARY KEY, name text, amount numeric(12,2), qty int,
          ts timestamp);
        INSERT INTO %1$s SELECT i, 'name ' || i, i * 1.25, i %% 100,
          TIMESTAMP '2024-01-01 00:00:00' + i * INTERVAL '1 second' FROM generate_series(1, %2$d) i;
        """
        .formatted(table, rows);
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

  static String confirmed(String slot) throws Exception {
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
