package dev.dataflow.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.S3ProxyServer;
import dev.dataflow.lake.s3.S3Settings;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.EngineConfig;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On an S3 warehouse the REST catalog hands the store's endpoint and keys, scoped to the table's
 * location, to a client that asks for vended credentials, and to no other: Iceberg's own client,
 * with an S3FileIO that holds no keys of its own, then reads the table Dataflow wrote.
 */
class VendedCredentialsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String WAREHOUSE = "s3://lake/warehouse";

  @TempDir static Path dir;
  private static S3ProxyServer store;
  private static DataflowServer server;

  @BeforeAll
  static void start() throws Exception {
    store = new S3ProxyServer(Files.createDirectories(dir.resolve("store")));
    store.createBucket("lake");
    S3Settings settings =
        new S3Settings(
            store.endpoint(), "us-east-1", S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY);
    Path data = dir.resolve("data");
    server =
        DataflowServer.start(
            new ServerConfig(
                data,
                "127.0.0.1",
                0,
                0,
                false,
                0,
                LakeConfig.embedded(data).withS3Warehouse(WAREHOUSE, settings, 1 << 30),
                EngineConfig.defaults(data),
                null,
                null));
    try (var execution =
        server.sql().execute("test", "CREATE TABLE s.t AS SELECT range AS k FROM range(100)")) {
      execution.updateCount();
    }
  }

  @AfterAll
  static void stop() throws Exception {
    server.close();
    store.close();
  }

  private static JsonNode load(String delegation) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.httpUrl() + "/iceberg/v1/namespaces/s/tables/t"));
    if (delegation != null) {
      request.header("X-Iceberg-Access-Delegation", delegation);
    }
    HttpResponse<String> answer =
        HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  @Test
  void onlyAClientThatAsksGetsTheStoresKeysForThatTable() throws Exception {
    assertThat(load(null).path("storage-credentials").isMissingNode()).isTrue();
    assertThat(load(null).toString()).doesNotContain(S3ProxyServer.SECRET_KEY);
    assertThat(load("remote-signing").toString()).doesNotContain(S3ProxyServer.SECRET_KEY);
    JsonNode vended = load("vended-credentials").path("storage-credentials").get(0);
    assertThat(vended.path("prefix").asText()).isEqualTo(WAREHOUSE + "/s/t");
    assertThat(vended.path("config").path("s3.secret-access-key").asText())
        .isEqualTo(S3ProxyServer.SECRET_KEY);
    assertThat(vended.path("config").path("s3.endpoint").asText())
        .isEqualTo(store.endpoint().toString());
  }

  @Test
  void icebergsClientReadsTheTableWithTheVendedKeysAlone() throws Exception {
    try (RESTCatalog client = new RESTCatalog()) {
      client.initialize(
          "dataflow",
          Map.of(
              "uri", server.httpUrl() + "/iceberg",
              "header.X-Iceberg-Access-Delegation", "vended-credentials",
              "io-impl", "org.apache.iceberg.aws.s3.S3FileIO",
              "client.region", "us-east-1",
              "http-client.type", "urlconnection"));
      Table table = client.loadTable(TableIdentifier.of("s", "t"));
      long rows = 0;
      try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
        for (FileScanTask task : tasks) {
          rows += task.file().recordCount();
          // the manifests came through the vended keys; the data file does too, to its last byte
          try (InputStream in = table.io().newInputFile(task.file().location()).newStream()) {
            assertThat(in.readAllBytes()).hasSize((int) task.file().fileSizeInBytes());
          }
        }
      }
      assertThat(rows).isEqualTo(100);
    }
  }
}
