package dev.dataflow.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A source database that is gone: the run fails cleanly, commits nothing, and the next run resumes.
 */
class JdbcOutageTest {
  @TempDir Path dir;

  @Test
  void aStoppedDatabaseFailsTheRunAndTheNextRunResumes() throws Exception {
    Path data = dir.resolve("pg");
    EmbeddedPostgres postgres = start(data, 0);
    int port = postgres.getPort();
    String url = postgres.getJdbcUrl("postgres", "postgres");
    execute(postgres, JdbcReaderTest.createSource("src", 1000));
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      pipelines.apply(
          """
          name: out
          origin:
            type: jdbc
            url: "%s"
            user: postgres
            table: src
            cursor: {column: id}
          destination:
            table: raw.out
            mode: append
          """
              .formatted(url),
          dir.resolve("out.yaml"));
      assertThat(pipelines.runOnce("out").rowsIn()).isEqualTo(1000);

      execute(
          postgres,
          "INSERT INTO src SELECT id + 1000, amount, price, qty, small, name, code, flag, day, ts, tstz, "
              + "uid, payload, note, updated_at FROM src");
      postgres.close();
      RunRecord failed = pipelines.runOnce("out");
      assertThat(failed.status()).isEqualTo(PipelineState.FAILED);
      assertThat(failed.error()).contains("reading jdbc:postgresql://").contains("failed");
      assertThat(count(sql)).as("nothing committed").isEqualTo("1000");

      postgres = start(data, port);
      RunRecord resumed = pipelines.runOnce("out");
      assertThat(resumed.status()).as(resumed.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(resumed.rowsIn()).isEqualTo(1000);
      assertThat(count(sql)).isEqualTo("2000");
    } finally {
      postgres.close();
    }
  }

  private static EmbeddedPostgres start(Path data, int port) throws Exception {
    EmbeddedPostgres.Builder builder =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setDataDirectory(data)
            .setCleanDataDirectory(false);
    if (port > 0) {
      builder.setPort(port);
    }
    return builder.start();
  }

  private static void execute(EmbeddedPostgres postgres, String statements) throws Exception {
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(statements);
    }
  }

  private static String count(SqlService sql) {
    try (Execution execution = sql.execute("test", "SELECT count(*) FROM raw.out")) {
      execution.next();
      return String.valueOf(execution.batch().getFieldVectors().get(0).getObject(0));
    }
  }
}
