package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.EngineConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL metadata store stops while the server runs: requests get 503 with the reason
 * instead of failing as the server's own errors, and once the store is back they succeed again,
 * with nothing restarted; a quick restart between two requests goes unnoticed.
 */
class MetadataStoreOutageIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dir;

  private static EmbeddedPostgres postgres(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder()
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPort(port)
        .start();
  }

  @Test
  void requestsGet503WhileTheStoreIsDownAndSucceedOnceItIsBack() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    Path pg = dir.resolve("pg");
    EmbeddedPostgres postgres = postgres(pg, port);
    try (Connection admin = postgres.getPostgresDatabase().getConnection();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE lake");
    }
    Path data = dir.resolve("data");
    LakeConfig lake =
        LakeConfig.embedded(data)
            .withCatalog("jdbc:postgresql://127.0.0.1:" + port + "/lake", "postgres", "postgres");
    ServerConfig config =
        new ServerConfig(
            data, "127.0.0.1", 0, 0, false, 0, lake, EngineConfig.defaults(data), null, null);
    try (DataflowServer server = DataflowServer.start(config)) {
      assertThat(
              send(
                      server,
                      "POST",
                      "/api/v1/sql",
                      "{\"sql\": \"CREATE TABLE s.t AS SELECT 1 AS k\"}")
                  .statusCode())
          .isEqualTo(200);
      postgres.close();

      HttpResponse<String> catalog = send(server, "GET", "/api/v1/catalog/s.t", "");
      assertThat(catalog.statusCode()).as(catalog.body()).isEqualTo(503);
      assertThat(catalog.body()).contains("UNAVAILABLE").contains("etadata store");
      HttpResponse<String> sql =
          send(server, "POST", "/api/v1/sql", "{\"sql\": \"SELECT count(*) FROM s.t\"}");
      assertThat(sql.statusCode()).as(sql.body()).isEqualTo(503);
      assertThat(send(server, "GET", "/iceberg/v1/namespaces", "").statusCode()).isEqualTo(503);

      postgres = postgres(pg, port);
      long deadline = System.nanoTime() + 30_000_000_000L;
      int status = 0;
      while (System.nanoTime() < deadline && status != 200) {
        status = send(server, "GET", "/api/v1/catalog/s.t", "").statusCode();
        Thread.sleep(200);
      }
      assertThat(status).as("the catalog answers again").isEqualTo(200);
      assertThat(send(server, "GET", "/iceberg/v1/namespaces", "").statusCode()).isEqualTo(200);
      assertThat(
              send(server, "POST", "/api/v1/sql", "{\"sql\": \"SELECT count(*) FROM s.t\"}")
                  .statusCode())
          .isEqualTo(200);

      // restarted between two requests: every connection kept from before is dead, and the next
      // requests still succeed, each on a new one
      postgres.close();
      postgres = postgres(pg, port);
      assertThat(send(server, "GET", "/api/v1/catalog/s.t", "").statusCode()).isEqualTo(200);
      assertThat(send(server, "GET", "/iceberg/v1/namespaces", "").statusCode()).isEqualTo(200);
      assertThat(
              send(server, "POST", "/api/v1/sql", "{\"sql\": \"SELECT count(*) FROM s.t\"}")
                  .statusCode())
          .isEqualTo(200);
    } finally {
      postgres.close();
    }
  }

  private static HttpResponse<String> send(
      DataflowServer server, String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.httpUrl() + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
