package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dataflow up --catalog jdbc:postgresql://…} keeps the Iceberg catalog and Dataflow's own
 * metadata in PostgreSQL, its credentials from the environment only and never printed.
 */
class SharedCatalogIT {
  private static final String PASSWORD = "s3cret-catalog-password";

  @TempDir Path data;

  @Test
  void upKeepsItsMetadataInPostgresql() throws Exception {
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start()) {
      try (Connection admin = postgres.getPostgresDatabase().getConnection();
          Statement statement = admin.createStatement()) {
        statement.execute("CREATE ROLE dataflow LOGIN PASSWORD '" + PASSWORD + "'");
        statement.execute("CREATE DATABASE lake OWNER dataflow");
      }
      String url = "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/lake";
      Map<String, String> environment =
          Map.of("DATAFLOW_CATALOG_USER", "dataflow", "DATAFLOW_CATALOG_PASSWORD", PASSWORD);
      try (ServerProcess server =
          ServerProcess.start(data, environment, "--no-demo", "--catalog", url)) {
        post(server, "CREATE TABLE lab.t AS SELECT range AS k FROM range(7)");
        // the lines after the ready line are read as they come
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!server.output().contains("Press Ctrl+C") && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertThat(server.output())
            .contains("Metadata store:       " + url)
            .doesNotContain(PASSWORD);
      }
      try (Connection lake = postgres.getDatabase("dataflow", "lake").getConnection();
          Statement statement = lake.createStatement();
          ResultSet rows =
              statement.executeQuery(
                  "SELECT (SELECT count(*) FROM iceberg_tables WHERE table_name = 't'),"
                      + " (SELECT count(*) FROM df_jobs WHERE sql_text LIKE 'CREATE TABLE lab.t%')")) {
        rows.next();
        assertThat(rows.getInt(1)).as("the Iceberg catalog's row").isEqualTo(1);
        assertThat(rows.getInt(2)).as("the job's row").isEqualTo(1);
      }
      assertThat(data.resolve("catalog.db")).as("no SQLite file").doesNotExist();
    }
  }

  @Test
  void refusesAPasswordOnTheCommandLine() throws Exception {
    Process up =
        ServerProcess.java(
                java.util.List.of(
                    "up",
                    "--data",
                    data.toString(),
                    "--catalog",
                    "jdbc:postgresql://127.0.0.1:1/lake?password=" + PASSWORD))
            .redirectErrorStream(true)
            .start();
    String output = new String(up.getInputStream().readAllBytes());
    assertThat(up.waitFor()).isNotZero();
    assertThat(output).contains("DATAFLOW_CATALOG_PASSWORD");
  }

  private static void post(ServerProcess server, String sql) throws Exception {
    HttpResponse<String> answer =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(server.url + "/api/v1/sql"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"sql\": \"" + sql + "\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
  }
}
