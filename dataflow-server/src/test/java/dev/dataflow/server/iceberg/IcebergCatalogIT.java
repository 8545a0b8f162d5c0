package dev.dataflow.server.iceberg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.LocalFileIO;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.http.HttpApi;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.AppendFiles;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdateRequirement;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.rest.RESTCatalog;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequestParser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The REST catalog as Iceberg's own client uses it, beside Dataflow's SQL on the same lake: what
 * one commits the other sees at once, and a stale commit is refused with 409.
 */
class IcebergCatalogIT {
  @TempDir static Path dir;
  private static Lake lake;
  private static SqlService sql;
  private static Pipelines pipelines;
  private static HttpApi api;
  private static RESTCatalog client;

  @BeforeAll
  static void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
    pipelines = new Pipelines(sql);
    api = start(Authenticator.open());
    client = client(api, Map.of());
  }

  private static HttpApi start(Authenticator auth) {
    return HttpApi.start(
        sql,
        pipelines,
        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
        auth,
        "127.0.0.1",
        0);
  }

  private static RESTCatalog client(HttpApi server, Map<String, String> settings) {
    Map<String, String> properties = new HashMap<>(settings);
    properties.put("uri", "http://127.0.0.1:" + server.port() + "/iceberg");
    properties.put("io-impl", LocalFileIO.class.getName());
    RESTCatalog catalog = new RESTCatalog();
    catalog.initialize("dataflow", properties);
    return catalog;
  }

  @AfterAll
  static void stop() throws IOException {
    if (client != null) {
      client.close();
    }
    if (api != null) {
      api.close();
    }
    pipelines.close();
    sql.close();
    lake.close();
  }

  private static long count(String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      assertThat(execution.next()).isTrue();
      return ((Number) execution.batch().getVector(0).getObject(0)).longValue();
    }
  }

  private static void update(String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      assertThat(execution.updateCount()).isPositive();
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<DataFile> files(Table table) throws IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file().copy()));
    }
    return files;
  }

  @Test
  void spacesAreNamespacesAndFoldersTheirChildren() {
    update("CREATE TABLE sales.eu.orders AS SELECT range AS id FROM range(3)");
    assertThat(client.listNamespaces()).contains(Namespace.of("sales"));
    assertThat(client.listNamespaces(Namespace.of("sales"))).contains(Namespace.of("sales", "eu"));
    assertThat(client.listTables(Namespace.of("sales", "eu")))
        .containsExactly(TableIdentifier.of("sales", "eu", "orders"));
    assertThatThrownBy(() -> client.dropNamespace(Namespace.of("sales", "eu")))
        .isInstanceOf(NamespaceNotEmptyException.class);
  }

  @Test
  void aRestCommitIsSeenBySqlAtOnceAndSqlWritesByTheClient() throws IOException {
    update("CREATE TABLE shop.source AS SELECT range AS id, 'n' || range AS name FROM range(10)");
    Table source = client.loadTable(TableIdentifier.of("shop", "source"));
    Table copy = client.createTable(TableIdentifier.of("shop", "copy"), source.schema());
    // planned and cached while empty: the commit below must not be answered from that plan
    assertThat(count("SELECT count(*) FROM shop.copy")).isZero();

    AppendFiles append = copy.newAppend();
    files(source).forEach(append::appendFile);
    append.commit();
    assertThat(count("SELECT count(*) FROM shop.copy")).isEqualTo(10);

    update("INSERT INTO shop.copy SELECT 99, 'x'");
    copy.refresh();
    assertThat(copy.currentSnapshot().summary()).containsEntry("total-records", "11");
  }

  @Test
  void aTableDroppedAndCreatedAgainByTheClientIsReadAnew() {
    update("CREATE TABLE again.t AS SELECT 1 AS id");
    assertThat(count("SELECT count(*) FROM again.t")).isEqualTo(1);
    TableIdentifier name = TableIdentifier.of("again", "t");
    Table old = client.loadTable(name);
    client.dropTable(name, true);
    client.createTable(name, old.schema());
    assertThat(count("SELECT count(*) FROM again.t")).isZero();
  }

  @Test
  void aCommitWithStaleRequirementsIsRefusedWith409() throws Exception {
    update("CREATE TABLE race.t AS SELECT 1 AS id");
    Table table = client.loadTable(TableIdentifier.of("race", "t"));
    long stale = table.currentSnapshot().snapshotId();
    update("INSERT INTO race.t SELECT 2");
    UpdateTableRequest request =
        UpdateTableRequest.create(
            null,
            List.of(new UpdateRequirement.AssertRefSnapshotID("main", stale)),
            List.of(new org.apache.iceberg.MetadataUpdate.SetProperties(Map.of("k", "v"))));
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://127.0.0.1:" + api.port() + "/iceberg/v1/namespaces/race/tables/t"))
                .POST(
                    HttpRequest.BodyPublishers.ofString(UpdateTableRequestParser.toJson(request))));
    assertThat(answer.statusCode()).isEqualTo(409);
    assertThat(answer.body()).contains("\"type\":\"CommitFailedException\"");
    table.refresh();
    assertThat(table.properties()).doesNotContainKey("k");
    assertThat(count("SELECT count(*) FROM race.t")).isEqualTo(2);
  }

  @Test
  void whatDoesNotExistIsA404InTheSpecsErrorBody() throws Exception {
    assertThatThrownBy(() -> client.loadTable(TableIdentifier.of("nowhere", "t")))
        .isInstanceOf(NoSuchTableException.class);
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + api.port() + "/iceberg/v1/namespaces/nowhere/tables/t")));
    assertThat(answer.statusCode()).isEqualTo(404);
    assertThat(answer.body()).contains("\"type\":\"NoSuchTableException\"", "\"code\":404");
    HttpResponse<String> noRoute =
        send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + api.port() + "/iceberg/v9")));
    assertThat(noRoute.statusCode()).isEqualTo(404);
    assertThat(noRoute.body()).contains("\"error\"", "\"code\":404");
  }

  @Test
  void theConfigListsTheEndpointsServed() throws Exception {
    HttpResponse<String> answer =
        send(
            HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + api.port() + "/iceberg/v1/config")));
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.body())
        .contains(
            "GET /v1/{prefix}/namespaces",
            "POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
            "POST /v1/{prefix}/views/rename");
  }

  @Test
  void withAPasswordARequestWithoutCredentialsIsRefused() throws Exception {
    try (HttpApi guarded = start(Authenticator.withPassword("s3cret"))) {
      HttpResponse<String> answer =
          send(
              HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + guarded.port() + "/iceberg/v1/namespaces")));
      assertThat(answer.statusCode()).isEqualTo(401);
      assertThat(answer.body()).contains("\"type\":\"NotAuthorizedException\"", "\"code\":401");
      assertThatThrownBy(
              () ->
                  client(
                      guarded,
                      Map.of(
                          "rest.auth.type", "basic",
                          "rest.auth.basic.username", "admin",
                          "rest.auth.basic.password", "wrong")))
          .isInstanceOf(NotAuthorizedException.class);
      try (RESTCatalog admin =
          client(
              guarded,
              Map.of(
                  "rest.auth.type", "basic",
                  "rest.auth.basic.username", "admin",
                  "rest.auth.basic.password", "s3cret"))) {
        update("CREATE TABLE guarded.t AS SELECT 1 AS id");
        assertThat(admin.listTables(Namespace.of("guarded")))
            .containsExactly(TableIdentifier.of("guarded", "t"));
      }
    }
  }
}
