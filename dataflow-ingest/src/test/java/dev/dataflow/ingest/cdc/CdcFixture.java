package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.LakeRows;
import dev.dataflow.ingest.SourceRows;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/** A PostgreSQL 17 with logical replication, and a platform's pipelines and lake to compare. */
record CdcFixture(EmbeddedPostgres postgres, SqlService sql, Pipelines pipelines, Path dir) {
  /** The rows of a source table and of its lake table, each as one text per row. */
  static final String ROW =
      "CAST(id AS VARCHAR) || '|' || coalesce(name, 'null') || '|' || "
          + "coalesce(CAST(amount AS VARCHAR), 'null') || '|' || coalesce(CAST(qty AS VARCHAR), 'null')"
          + " || '|' || coalesce(CAST(ts AS VARCHAR), 'null')";

  static EmbeddedPostgres startPostgres() throws IOException {
    return EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("wal_level", "logical")
        .setServerConfig("max_replication_slots", "20")
        .setServerConfig("max_wal_senders", "20")
        .start();
  }

  String url() {
    return postgres.getJdbcUrl("postgres", "postgres");
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

  /** A cdc pipeline named {@code name} from {@code table} into {@code raw.<name>}. */
  String yaml(String name, String table, String origin, String destination) {
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
            url(),
            table,
            origin.indent(2).stripTrailing(),
            name,
            destination.indent(2).stripTrailing());
  }

  void apply(String name, String yaml) {
    pipelines.apply(yaml, dir.resolve(name + ".yaml"));
  }

  void execute(String statements) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(statements);
    }
  }

  List<String> pg(String query) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection()) {
      return SourceRows.of(connection, query);
    }
  }

  List<String> lakeRows(String query) {
    return LakeRows.of(sql, query);
  }

  void assertSameRows(String source, String lakeTable) throws Exception {
    List<String> expected = pg("SELECT " + ROW + " AS r FROM " + source + " ORDER BY r");
    List<String> actual = lakeRows("SELECT " + ROW + " AS r FROM " + lakeTable + " ORDER BY r");
    assertThat(actual).hasSize(expected.size()).isEqualTo(expected);
  }

  /** Waits until the lake table holds at least {@code rows} rows. */
  void awaitRows(String lakeTable, long rows, long millis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (Long.parseLong(lakeRows("SELECT count(*) FROM " + lakeTable).get(0)) >= rows) {
          return;
        }
      } catch (RuntimeException e) {
        // the first commit creates the table
      }
      Thread.sleep(20);
    }
  }

  /** Waits until the lake table holds the source's rows (cheap checks first), then compares all. */
  void awaitSameRows(String source, String lakeTable, long millis) throws Exception {
    String check =
        "SELECT count(*) || '|' || coalesce(sum(hash_key), 0) FROM (SELECT id * 31 + qty AS hash_key FROM %s)";
    long deadline = System.currentTimeMillis() + millis;
    while (System.currentTimeMillis() < deadline) {
      String expected = pg(check.formatted(source)).get(0);
      String actual;
      try {
        actual = lakeRows(check.formatted(lakeTable)).get(0);
      } catch (RuntimeException e) {
        actual = "none"; // the first commit creates the table
      }
      if (expected.equals(actual)) {
        break;
      }
      Thread.sleep(500);
    }
    assertSameRows(source, lakeTable);
  }
}
