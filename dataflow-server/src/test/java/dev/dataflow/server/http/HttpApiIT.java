package dev.dataflow.server.http;

import static dev.dataflow.server.http.ApiClient.segment;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.http.ApiClient.Answer;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** The REST API over a temporary lake, driven over HTTP on 127.0.0.1. */
class HttpApiIT {
  @TempDir static Path dir;
  private static Lake lake;
  private static SqlService sql;
  private static HttpApi api;
  private static Pipelines pipelines;
  private static ApiClient client;

  @BeforeAll
  static void start() throws Exception {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
    // an expired result and a crashed writer's leftover are deleted at start
    Path jobs = Files.createDirectories(dir.resolve("jobs"));
    Files.writeString(jobs.resolve("old.arrow"), "x");
    Files.setLastModifiedTime(
        jobs.resolve("old.arrow"), FileTime.from(Instant.now().minus(Duration.ofDays(2))));
    Files.writeString(jobs.resolve("crashed.arrow.tmp"), "x");
    pipelines = new Pipelines(sql);
    api =
        HttpApi.start(
            sql,
            pipelines,
            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
            Authenticator.open(),
            "127.0.0.1",
            0);
    client = new ApiClient(api.port());
  }

  @AfterAll
  static void stop() {
    if (api != null) {
      api.close();
    }
    pipelines.close();
    sql.close();
    lake.close();
  }

  /** Submits a statement and waits for its job to end; returns the job. */
  private static JsonNode run(String statement) {
    String id = client.sql(statement).expect(200).json().path("id").asText();
    return awaitEnd(id);
  }

  private static JsonNode awaitEnd(String id) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      JsonNode job = client.get("/jobs/" + id).expect(200).json();
      String status = job.path("status").asText();
      if (!status.equals("RUNNING") && !status.equals("QUEUED") || System.nanoTime() > deadline) {
        return job;
      }
      sleep(20);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Lineage nodes as path -> TYPE@depth. */
  private static Map<String, String> nodes(JsonNode array) {
    Map<String, String> nodes = new java.util.LinkedHashMap<>();
    array.forEach(
        n ->
            nodes.put(
                n.path("path").asText(), n.path("type").asText() + "@" + n.path("depth").asInt()));
    return nodes;
  }

  private static List<String> texts(JsonNode array, String field) {
    List<String> values = new ArrayList<>();
    array.forEach(node -> values.add(node.path(field).asText()));
    return values;
  }

  @Test
  void answersHealthAndDescribesEveryEndpoint() throws Exception {
    assertThat(client.get("/health").expect(200).json().path("status").asText()).isEqualTo("ok");
    Answer document = client.get("/openapi.yaml").expect(200);
    Map<String, Object> openApi = new Yaml().load(document.response().body());
    assertThat(openApi.get("openapi").toString()).startsWith("3.");
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> paths =
        (Map<String, Map<String, Object>>) openApi.get("paths");
    Map<String, List<String>> routes =
        Map.ofEntries(
            Map.entry("/api/v1/health", List.of("get")),
            Map.entry("/api/v1/openapi.yaml", List.of("get")),
            Map.entry("/api/v1/sql", List.of("post")),
            Map.entry("/api/v1/jobs", List.of("get")),
            Map.entry("/api/v1/jobs/{id}", List.of("get")),
            Map.entry("/api/v1/jobs/{id}/results", List.of("get")),
            Map.entry("/api/v1/jobs/{id}/download", List.of("get")),
            Map.entry("/api/v1/jobs/{id}/cancel", List.of("post")),
            Map.entry("/api/v1/catalog", List.of("get")),
            Map.entry("/api/v1/catalog/{path}", List.of("get")),
            Map.entry("/api/v1/catalog/{path}/snapshots", List.of("get")),
            Map.entry("/api/v1/catalog/{path}/lineage", List.of("get")),
            Map.entry("/api/v1/catalog/{path}/notes", List.of("get", "put")),
            Map.entry("/api/v1/views/{path}", List.of("put", "delete")),
            Map.entry("/api/v1/folders/{path}", List.of("post")),
            Map.entry("/api/v1/pipelines", List.of("get")),
            Map.entry("/api/v1/pipelines/{name}", List.of("put", "get", "delete")),
            Map.entry("/api/v1/pipelines/{name}/start", List.of("post")),
            Map.entry("/api/v1/pipelines/{name}/stop", List.of("post")),
            Map.entry("/api/v1/pipelines/{name}/preview", List.of("post")),
            Map.entry("/api/v1/pipelines/{name}/runs", List.of("get")),
            Map.entry("/api/v1/pipelines/{name}/errors", List.of("get")),
            Map.entry("/api/v1/pipelines/{name}/ingest", List.of("post")),
            Map.entry("/api/v1/models", List.of("get")),
            Map.entry("/api/v1/models/{name}", List.of("get", "put")),
            Map.entry("/api/v1/models/{name}/train", List.of("post")),
            Map.entry("/api/v1/models/{name}/versions", List.of("post")),
            Map.entry("/api/v1/models/{name}/versions/{version}", List.of("get")),
            Map.entry("/api/v1/models/{name}/aliases/{alias}", List.of("put", "delete")),
            Map.entry("/api/v1/models/{name}/deployment", List.of("put", "delete")),
            Map.entry("/api/v1/models/{name}/score", List.of("post")),
            Map.entry("/v2", List.of("get")),
            Map.entry("/v2/health/live", List.of("get")),
            Map.entry("/v2/health/ready", List.of("get")),
            Map.entry("/v2/models/{model}", List.of("get")),
            Map.entry("/v2/models/{model}/ready", List.of("get")),
            Map.entry("/v2/models/{model}/infer", List.of("post")),
            Map.entry("/v2/models/{model}/versions/{version}", List.of("get")),
            Map.entry("/v2/models/{model}/versions/{version}/ready", List.of("get")),
            Map.entry("/v2/models/{model}/versions/{version}/infer", List.of("post")),
            Map.entry("/metrics", List.of("get")));
    assertThat(paths.keySet()).containsExactlyInAnyOrderElementsOf(routes.keySet());
    routes.forEach(
        (path, methods) -> assertThat(paths.get(path).keySet()).as(path).containsAll(methods));
    assertThat(Files.exists(dir.resolve("jobs/old.arrow"))).isFalse();
    assertThat(Files.exists(dir.resolve("jobs/crashed.arrow.tmp"))).isFalse();
  }

  @Test
  void runsStatementsAndPagesResults() {
    JsonNode created =
        run(
            "CREATE TABLE rs.numbers AS SELECT range AS id, CAST(range / 4 AS DECIMAL(12,2)) AS"
                + " amount, DATE '2026-01-01' + CAST(range % 28 AS INTEGER) AS day FROM"
                + " range(70000)");
    assertThat(created.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(created.path("rows").asLong()).isEqualTo(70000);
    assertThat(
            run("INSERT INTO rs.numbers VALUES (99999, 1234567890.25, DATE '2026-02-01')")
                .path("rows")
                .asLong())
        .isEqualTo(1);

    JsonNode query = run("SELECT id, amount, day, 'n' || id AS name FROM rs.numbers ORDER BY id");
    assertThat(query.path("status").asText()).isEqualTo("COMPLETED");
    assertThat(query.path("rows").asLong()).isEqualTo(70001);
    assertThat(query.path("principal").asText()).isEqualTo(Authenticator.LOCAL);
    assertThat(query.path("datasets")).hasSize(1);
    assertThat(query.path("datasets").get(0).asText()).isEqualTo("rs.numbers");
    assertThat(Instant.parse(query.path("endedAt").asText()))
        .isAfterOrEqualTo(Instant.parse(query.path("startedAt").asText()));
    String id = query.path("id").asText();

    JsonNode first = client.get("/jobs/" + id + "/results").expect(200).json();
    assertThat(texts(first.path("columns"), "name")).containsExactly("id", "amount", "day", "name");
    assertThat(texts(first.path("columns"), "type"))
        .containsExactly("BIGINT", "DECIMAL(12,2)", "DATE", "VARCHAR");
    assertThat(first.path("rows")).hasSize(100);
    assertThat(first.path("totalRows").asLong()).isEqualTo(70001);
    JsonNode row = first.path("rows").get(5);
    assertThat(row.get(0).isIntegralNumber()).isTrue();
    assertThat(row.get(0).asLong()).isEqualTo(5);
    assertThat(row.get(1).isNumber()).isTrue();
    assertThat(row.get(1).decimalValue()).isEqualByComparingTo("1.25");
    assertThat(row.get(2).asText()).isEqualTo("2026-01-06");
    assertThat(row.get(3).asText()).isEqualTo("n5");

    // a page across the first batch boundary (batches hold 64 Ki rows), and the tail
    JsonNode middle =
        client.get("/jobs/" + id + "/results?offset=65530&limit=10").expect(200).json();
    List<Long> ids = new ArrayList<>();
    middle.path("rows").forEach(r -> ids.add(r.get(0).asLong()));
    assertThat(ids)
        .containsExactly(
            65530L, 65531L, 65532L, 65533L, 65534L, 65535L, 65536L, 65537L, 65538L, 65539L);
    JsonNode tail =
        client.get("/jobs/" + id + "/results?offset=69995&limit=10000").expect(200).json();
    assertThat(tail.path("offset").asLong()).isEqualTo(69995);
    assertThat(tail.path("rows")).hasSize(6);
    assertThat(tail.path("rows").get(5).get(1).decimalValue())
        .isEqualByComparingTo("1234567890.25");
    assertThat(client.get("/jobs/" + id + "/results?offset=80000").expect(200).json().path("rows"))
        .isEmpty();
    client.get("/jobs/" + id + "/results?limit=10001").expect(400);
    client.get("/jobs/" + id + "/results?offset=-1").expect(400);

    // a statement without rows answers its count
    JsonNode count =
        client.get("/jobs/" + created.path("id").asText() + "/results").expect(200).json();
    assertThat(count.path("rows").get(0).get(0).asLong()).isEqualTo(70000);
  }

  @Test
  void returnsValuesExactly() {
    JsonNode job =
        run(
            "SELECT 123456789012345678.123456789::DECIMAL(38,9) AS d, 18446744073709551615::UBIGINT"
                + " AS u, TIMESTAMP '2026-03-04 05:06:07' AS ts, TIMESTAMPTZ '2026-03-04"
                + " 05:06:07+02' AS tz, [1, 2] AS l, {'a': 'x'} AS s, NULL AS n, 'nan'::DOUBLE AS"
                + " nan, true AS b, 'infinity'::TIMESTAMP AS forever, '-infinity'::DATE AS never");
    JsonNode result =
        client.get("/jobs/" + job.path("id").asText() + "/results").expect(200).json();
    JsonNode row = result.path("rows").get(0);
    assertThat(row.get(0).decimalValue()).isEqualByComparingTo("123456789012345678.123456789");
    assertThat(row.get(1).bigIntegerValue().toString()).isEqualTo("18446744073709551615");
    assertThat(row.get(2).asText()).isEqualTo("2026-03-04T05:06:07");
    assertThat(row.get(3).asText()).isEqualTo("2026-03-04T03:06:07Z");
    assertThat(row.get(4).toString()).isEqualTo("[1,2]");
    assertThat(row.get(5).path("a").asText()).isEqualTo("x");
    assertThat(row.get(6).isNull()).isTrue();
    assertThat(row.get(7).asText()).isEqualTo("NaN");
    assertThat(row.get(8).asBoolean()).isTrue();
    assertThat(row.get(9).asText()).isEqualTo("infinity");
    assertThat(row.get(10).asText()).isEqualTo("-infinity");
    // dictionary-encoded results cannot be stored: refused before the job starts
    Answer enumerated = client.sql("SELECT 'a'::ENUM('a', 'b') AS e").expect(501);
    assertThat(enumerated.json().path("message").asText()).contains("cast it to VARCHAR");
  }

  @Test
  void listsRecentJobsNewestFirst() {
    String first = run("SELECT 1 AS recent_a").path("id").asText();
    String second = run("SELECT 2 AS recent_b").path("id").asText();
    JsonNode jobs = client.get("/jobs?limit=50").expect(200).json();
    List<String> ids = texts(jobs, "id");
    assertThat(ids).contains(first, second);
    assertThat(ids.indexOf(second)).isLessThan(ids.indexOf(first));
    assertThat(client.get("/jobs?limit=1").expect(200).json()).hasSize(1);
    client.get("/jobs?limit=0").expect(400);
  }

  @Test
  void cancelsALongQuery() {
    String statement = "SELECT count(*) AS cancel_me FROM range(2000000000) a, range(100000) b";
    CompletableFuture<Answer> submitted = client.submitAsync(statement);
    String id = null;
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (id == null && System.nanoTime() < deadline) {
      // the job id comes back when the statement has started; until then the job list shows it
      if (submitted.isDone()) {
        id = submitted.join().expect(200).json().path("id").asText();
      }
      for (JsonNode job : client.get("/jobs?limit=20").expect(200).json()) {
        if (job.path("sql").asText().equals(statement)
            && job.path("status").asText().equals("RUNNING")) {
          id = job.path("id").asText();
        }
      }
      sleep(20);
    }
    assertThat(id).as("running job").isNotNull();
    Answer early = client.get("/jobs/" + id + "/results").expect(409);
    assertThat(early.json().path("errorCode").asText()).isEqualTo("JOB_RUNNING");
    assertThat(
            client
                .post("/jobs/" + id + "/cancel", "")
                .expect(200)
                .json()
                .path("cancelled")
                .asBoolean())
        .isTrue();
    assertThat(submitted.orTimeout(20, TimeUnit.SECONDS).join().status()).isIn(200, 499);
    JsonNode job = awaitEnd(id);
    assertThat(job.path("status").asText()).isEqualTo("CANCELLED");
    assertThat(job.path("errorCode").asText()).isEqualTo("CANCELLED");
    assertThat(
            client
                .post("/jobs/" + id + "/cancel", "")
                .expect(409)
                .json()
                .path("errorCode")
                .asText())
        .isEqualTo("JOB_ENDED");
    assertThat(client.get("/jobs/" + id + "/results").expect(499).json().path("errorCode").asText())
        .isEqualTo("CANCELLED");
  }

  /**
   * Four heavy statements on a server with four slots, one kept for short statements: three run,
   * the fourth shows QUEUED with its place, a short query answers meanwhile, and the queue's
   * figures are on /metrics.
   */
  @Test
  void aHeavyStatementQueuesAndShowsItsPlace() throws Exception {
    assertThat(sql.admission().settings().maxRunning()).isEqualTo(4);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      String statement =
          "SELECT count(*) AS queue_" + i + " FROM range(2000000000) a, range(100000) b";
      client.submitAsync(statement);
      ids.add(awaitJob(statement));
    }
    try {
      JsonNode queued = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (queued == null && System.nanoTime() < deadline) {
        for (String id : ids) {
          JsonNode job = client.get("/jobs/" + id).expect(200).json();
          if (job.path("status").asText().equals("QUEUED")) {
            queued = job;
          }
        }
        sleep(20);
      }
      assertThat(queued).as("a queued job").isNotNull();
      assertThat(queued.path("queuePlace").asInt()).isEqualTo(1);
      assertThat(run("SELECT 42 AS answer").path("status").asText()).isEqualTo("COMPLETED");
      assertThat(metrics())
          .contains("dataflow_statements_running 3.0")
          .contains("dataflow_statements_queued 1.0");
    } finally {
      for (String id : ids) {
        client.post("/jobs/" + id + "/cancel", "");
      }
    }
    for (String id : ids) {
      JsonNode job = awaitEnd(id);
      assertThat(job.path("status").asText()).isEqualTo("CANCELLED");
      assertThat(job.path("queuePlace").asInt(0)).isZero();
    }
  }

  private static String metrics() throws Exception {
    return java.net.http.HttpClient.newHttpClient()
        .send(
            java.net.http.HttpRequest.newBuilder(
                    java.net.URI.create("http://127.0.0.1:" + api.port() + "/metrics"))
                .build(),
            java.net.http.HttpResponse.BodyHandlers.ofString())
        .body();
  }

  /** The id of the job running or queued with this SQL, once the job list shows it. */
  private String awaitJob(String statement) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      for (JsonNode job : client.get("/jobs?limit=20").expect(200).json()) {
        if (job.path("sql").asText().equals(statement)) {
          return job.path("id").asText();
        }
      }
      sleep(20);
    }
    throw new AssertionError("no job for " + statement);
  }

  @Test
  void cancelsAResultBeingStored() {
    String id =
        client
            .sql("SELECT a.range AS x, b.range AS y FROM range(20000) a, range(5000) b")
            .expect(200)
            .json()
            .path("id")
            .asText();
    Answer cancel = client.post("/jobs/" + id + "/cancel", "");
    JsonNode job = awaitEnd(id);
    if (cancel.status() == 200) {
      assertThat(job.path("status").asText()).isEqualTo("CANCELLED");
      assertThat(dir.resolve("jobs").resolve(id + ".arrow")).doesNotExist();
    } else {
      // the result was stored before the cancel arrived
      assertThat(cancel.json().path("errorCode").asText()).isEqualTo("JOB_ENDED");
    }
  }

  @Test
  void browsesSpacesFoldersTablesAndViews() {
    run(
        "CREATE TABLE cat.sales.orders PARTITIONED BY (year(day)) AS SELECT range AS id,"
            + " DATE '2025-12-30' + CAST(range AS INTEGER) AS day FROM range(4)");
    run("CREATE VIEW cat.recent AS SELECT id FROM cat.sales.orders WHERE day >= DATE '2026-01-01'");

    JsonNode root = client.get("/catalog").expect(200).json();
    assertThat(root.path("children").findValuesAsText("path")).contains("cat");
    JsonNode space = client.get("/catalog/cat").expect(200).json();
    assertThat(space.path("type").asText()).isEqualTo("SPACE");
    assertThat(texts(space.path("children"), "name")).containsExactly("recent", "sales");
    assertThat(texts(space.path("children"), "type")).containsExactly("VIEW", "FOLDER");
    JsonNode folder = client.get("/catalog/cat.sales").expect(200).json();
    assertThat(folder.path("type").asText()).isEqualTo("FOLDER");
    assertThat(folder.path("children").get(0).path("path").asText()).isEqualTo("cat.sales.orders");
    assertThat(folder.path("children").get(0).path("type").asText()).isEqualTo("TABLE");

    JsonNode table = client.get("/catalog/" + segment("cat.sales.orders")).expect(200).json();
    assertThat(table.path("type").asText()).isEqualTo("TABLE");
    assertThat(texts(table.path("schema"), "name")).containsExactly("id", "day");
    assertThat(texts(table.path("schema"), "type")).containsExactly("BIGINT", "DATE");
    assertThat(table.path("partitioning").get(0).path("transform").asText()).isEqualTo("year");
    assertThat(table.path("partitioning").get(0).path("sourceColumn").asText()).isEqualTo("day");
    assertThat(table.path("location").asText()).isNotEmpty();
    String current = table.path("currentSnapshotId").asText();

    JsonNode view = client.get("/catalog/cat.recent").expect(200).json();
    assertThat(view.path("type").asText()).isEqualTo("VIEW");
    assertThat(view.path("sql").asText()).startsWith("SELECT id FROM cat.sales.orders");
    assertThat(texts(view.path("schema"), "name")).containsExactly("id");
    assertThat(view.path("upstream").get(0).asText()).isEqualTo("cat.sales.orders");
    assertThat(view.path("status").asText()).isEqualTo("OK");
    // quoted parts and case-insensitive names resolve as in SQL
    assertThat(
            client
                .get("/catalog/" + segment("\"cat\".RECENT"))
                .expect(200)
                .json()
                .path("path")
                .asText())
        .isEqualTo("cat.recent");

    run("INSERT INTO cat.sales.orders VALUES (10, DATE '2026-06-01')");
    JsonNode snapshots = client.get("/catalog/cat.sales.orders/snapshots").expect(200).json();
    assertThat(snapshots).hasSize(2);
    assertThat(snapshots.get(1).path("snapshotId").asText()).isEqualTo(current);
    assertThat(snapshots.get(0).path("parentId").asText()).isEqualTo(current);
    assertThat(snapshots.get(0).path("operation").asText()).isEqualTo("append");
    assertThat(snapshots.get(0).path("summary").path("added-records").asText()).isEqualTo("1");
    client.get("/catalog/cat.recent/snapshots").expect(400);

    client.get("/catalog/cat.nothing").expect(404);
    client.get("/catalog/nothing").expect(404);
    client.get("/catalog/" + segment("cat..x")).expect(400);
  }

  @Test
  void tracesLineageUpDownAndByColumn() {
    run(
        "CREATE TABLE lin.orders AS SELECT range AS o_id, range % 3 AS o_cust, range * 10 AS"
            + " o_total FROM range(9)");
    run("CREATE TABLE lin.customers AS SELECT range AS c_id, 'c' || range AS c_name FROM range(3)");
    client
        .put(
            "/views/lin.v.enriched",
            ApiClient.sqlBody(
                "SELECT o.o_id, c.c_name AS customer, o_total * 2 AS doubled, o.o_cust + c.c_id AS"
                    + " mixed, 1 AS one FROM lin.orders o JOIN lin.customers c ON o.o_cust ="
                    + " c.c_id"))
        .expect(201);
    client
        .put(
            "/views/lin.v.top",
            ApiClient.sqlBody(
                "SELECT customer, sum(doubled) AS total, (SELECT max(c_id) FROM lin.customers) AS m"
                    + " FROM lin.v.enriched GROUP BY customer"))
        .expect(201);
    client.put("/views/lin.v.star", ApiClient.sqlBody("SELECT * FROM lin.v.top")).expect(201);

    JsonNode top = client.get("/catalog/lin.v.top/lineage").expect(200).json();
    assertThat(nodes(top.path("upstream")))
        .containsOnly(
            Map.entry("lin.v.enriched", "VIEW@1"),
            Map.entry("lin.customers", "TABLE@1"),
            Map.entry("lin.orders", "TABLE@2"));
    assertThat(texts(top.path("downstream"), "path")).containsExactly("lin.v.star");
    // "m" reads through a subquery: left out rather than guessed
    assertThat(texts(top.path("columns"), "column")).containsExactly("customer", "total");
    assertThat(top.path("columns").get(1).path("sources").get(0).path("path").asText())
        .isEqualTo("lin.v.enriched");
    assertThat(top.path("columns").get(1).path("sources").get(0).path("column").asText())
        .isEqualTo("doubled");

    JsonNode enriched = client.get("/catalog/lin.v.enriched/lineage").expect(200).json();
    Map<String, String> sources = new java.util.LinkedHashMap<>();
    for (JsonNode column : enriched.path("columns")) {
      List<String> from = new ArrayList<>();
      column
          .path("sources")
          .forEach(s -> from.add(s.path("path").asText() + "." + s.path("column").asText()));
      sources.put(column.path("column").asText(), String.join(",", from));
    }
    assertThat(sources)
        .containsExactly(
            Map.entry("o_id", "lin.orders.o_id"),
            Map.entry("customer", "lin.customers.c_name"),
            Map.entry("doubled", "lin.orders.o_total"),
            Map.entry("mixed", "lin.orders.o_cust,lin.customers.c_id"),
            Map.entry("one", ""));

    JsonNode orders = client.get("/catalog/lin.orders/lineage").expect(200).json();
    assertThat(orders.path("upstream")).isEmpty();
    assertThat(nodes(orders.path("downstream")))
        .containsOnly(
            Map.entry("lin.v.enriched", "VIEW@1"),
            Map.entry("lin.v.top", "VIEW@2"),
            Map.entry("lin.v.star", "VIEW@3"));
    assertThat(
            nodes(
                client.get("/catalog/lin.customers/lineage").expect(200).json().path("downstream")))
        .containsOnly(
            Map.entry("lin.v.enriched", "VIEW@1"),
            Map.entry("lin.v.top", "VIEW@1"),
            Map.entry("lin.v.star", "VIEW@2"));
    assertThat(client.get("/catalog/lin.v.star/lineage").expect(200).json().path("columns"))
        .isEmpty();
    client.get("/catalog/lin.v/lineage").expect(400);
    client.get("/catalog/lin.nothing/lineage").expect(404);
  }

  @Test
  void createsReplacesAndDropsViewsAndFolders() {
    run("CREATE TABLE vw.t AS SELECT range AS id FROM range(3)");
    Answer created =
        client.put("/views/vw.v", ApiClient.sqlBody("SELECT id FROM vw.t")).expect(201);
    assertThat(created.header("Location")).isEqualTo("/api/v1/catalog/vw.v");
    assertThat(awaitEnd(created.json().path("id").asText()).path("status").asText())
        .isEqualTo("COMPLETED");
    client.put("/views/vw.v", ApiClient.sqlBody("SELECT id * 2 AS twice FROM vw.t")).expect(200);
    JsonNode replaced = client.get("/catalog/vw.v").expect(200).json();
    assertThat(texts(replaced.path("schema"), "name")).containsExactly("twice");
    assertThat(texts(replaced.path("dialects"), "dialect")).containsExactly("duckdb", "spark");
    assertThat(replaced.path("dialects").get(1).path("sql").asText())
        .isEqualTo("SELECT `id` * 2 `twice` FROM `vw`.`t`");
    assertThat(replaced.path("missingDialects").size()).isZero();
    Answer qualified =
        client
            .put(
                "/views/vw.first",
                ApiClient.sqlBody(
                    "SELECT id FROM vw.t QUALIFY row_number() OVER (ORDER BY id) = 1"))
            .expect(201);
    awaitEnd(qualified.json().path("id").asText());
    JsonNode first = client.get("/catalog/vw.first").expect(200).json();
    assertThat(texts(first.path("dialects"), "dialect")).containsExactly("duckdb");
    assertThat(first.path("missingDialects").path("spark").asText())
        .isEqualTo("QUALIFY has no Spark form");

    Answer bad =
        client.put("/views/vw.bad", ApiClient.sqlBody("SELECT id\nFROM vw.t WHERE")).expect(400);
    assertThat(bad.json().path("line").asInt()).isEqualTo(2);
    assertThat(
            client
                .put("/views/vw.bad", ApiClient.sqlBody("SELECT * FROM vw.nope"))
                .expect(404)
                .json()
                .path("message")
                .asText())
        .contains("vw.nope");
    client.put("/views/vw.t", ApiClient.sqlBody("SELECT 1 AS x")).expect(409);

    client.delete("/views/vw.v").expect(204);
    client.get("/catalog/vw.v").expect(404);
    client.delete("/views/vw.v").expect(404);
    client.delete("/views/vw.t").expect(400);

    client.post("/folders/" + segment("vw.\"New Folder\".inner"), "").expect(201);
    client.post("/folders/" + segment("vw.\"New Folder\".inner"), "").expect(200);
    JsonNode folder = client.get("/catalog/" + segment("vw.\"New Folder\"")).expect(200).json();
    assertThat(folder.path("type").asText()).isEqualTo("FOLDER");
    assertThat(folder.path("children").get(0).path("path").asText())
        .isEqualTo("vw.\"New Folder\".inner");
    client.post("/folders/vw.t", "").expect(409);
  }

  @Test
  void reportsAViewWhoseUpstreamWasDropped() {
    run("CREATE TABLE inv.base AS SELECT range AS id FROM range(3)");
    run("CREATE VIEW inv.mid AS SELECT id FROM inv.base");
    run("CREATE VIEW inv.top AS SELECT id FROM inv.mid");
    assertThat(run("DROP TABLE inv.base").path("status").asText()).isEqualTo("COMPLETED");

    JsonNode mid = client.get("/catalog/inv.mid").expect(200).json();
    assertThat(mid.path("status").asText()).isEqualTo("INVALID");
    assertThat(mid.path("problems").get(0).asText()).isEqualTo("upstream inv.base does not exist");
    JsonNode top = client.get("/catalog/inv.top").expect(200).json();
    assertThat(top.path("status").asText()).isEqualTo("INVALID");
    assertThat(top.path("problems").get(0).asText()).contains("inv.base");
    JsonNode lineage = client.get("/catalog/inv.top/lineage").expect(200).json();
    assertThat(texts(lineage.path("upstream"), "type")).containsExactly("VIEW", "MISSING");

    Answer query = client.sql("SELECT * FROM inv.top").expect(409);
    assertThat(query.json().path("errorCode").asText()).isEqualTo("INVALID_VIEW");
    assertThat(query.json().path("message").asText()).contains("inv.base");
  }

  @Test
  void answersBadInputWithErrorsAndKeepsServing() {
    Answer syntax = client.sql("SELECT 1\nFROM bad.t WHERE").expect(400);
    assertThat(syntax.json().path("errorCode").asText()).isEqualTo("SYNTAX_ERROR");
    assertThat(syntax.json().path("line").asInt()).isEqualTo(2);
    assertThat(syntax.json().path("column").asInt()).isPositive();

    Answer unknown = client.sql("SELECT * FROM bad.nope").expect(404);
    assertThat(unknown.json().path("errorCode").asText()).isEqualTo("NOT_FOUND");
    assertThat(unknown.json().path("message").asText()).contains("bad.nope");

    for (String refused :
        List.of(
            "SELECT * FROM read_csv('x')",
            "COPY (SELECT 1) TO 'x.csv'",
            "ATTACH 'x.db'",
            "INSTALL httpfs",
            "SET threads = 1",
            "PRAGMA version")) {
      Answer answer = client.sql(refused).expect(403);
      assertThat(answer.json().path("errorCode").asText()).as(refused).isEqualTo("NOT_ALLOWED");
    }

    Answer malformed = client.post("/sql", "{\"sql\": \"SELECT 1\",").expect(400);
    assertThat(malformed.json().path("errorCode").asText()).isEqualTo("INVALID_ARGUMENT");
    client.post("/sql", "[\"SELECT 1\"]").expect(400);
    client.post("/sql", "{\"query\": \"SELECT 1\"}").expect(400);
    client.post("/sql", "").expect(400);
    assertThat(client.get("/jobs/no-such-job").expect(404).json().path("errorCode").asText())
        .isEqualTo("NOT_FOUND");
    client.get("/jobs/no-such-job/results").expect(404);
    client.post("/jobs/no-such-job/cancel", "").expect(404);
    assertThat(client.get("/jobs/..%2F..%2Fetc/results").status()).isBetween(400, 404);
    assertThat(client.get("/no/such/route").expect(404).json().path("errorCode").asText())
        .isEqualTo("NOT_FOUND");
    // an error while the query runs: answered at once, or recorded on the job
    Answer failed =
        client.sql(
            "SELECT CAST(CASE WHEN range = 9000 THEN 'x' ELSE '1' END AS INTEGER) FROM"
                + " range(10000)");
    if (failed.status() == 200) {
      JsonNode job = awaitEnd(failed.json().path("id").asText());
      assertThat(job.path("status").asText()).isEqualTo("FAILED");
      client.get("/jobs/" + job.path("id").asText() + "/results").expect(400);
    } else {
      assertThat(failed.expect(400).json().path("errorCode").asText())
          .isEqualTo("INVALID_ARGUMENT");
    }

    assertThat(client.get("/health").expect(200).json().path("status").asText()).isEqualTo("ok");
  }

  @Test
  void requiresCredentialsWhenAPasswordIsSet() throws Exception {
    try (HttpApi secured =
        HttpApi.start(
            sql,
            pipelines,
            new io.micrometer.prometheusmetrics.PrometheusMeterRegistry(
                io.micrometer.prometheusmetrics.PrometheusConfig.DEFAULT),
            Authenticator.withPassword("s3cret"),
            "127.0.0.1",
            0)) {
      ApiClient anonymous = new ApiClient(secured.port());
      Answer refused = anonymous.get("/catalog").expect(401);
      assertThat(refused.header("WWW-Authenticate")).startsWith("Basic");
      assertThat(refused.json().path("errorCode").asText()).isEqualTo("UNAUTHENTICATED");
      anonymous.sql("SELECT 1").expect(401);
      new ApiClient(secured.port(), "admin", "wrong").get("/jobs").expect(401);
      anonymous.get("/health").expect(200);
      anonymous.get("/openapi.yaml").expect(200);
      consoleFilesNeedNoCredentials(secured.port());

      ApiClient admin = new ApiClient(secured.port(), "admin", "s3cret");
      admin.get("/catalog").expect(200);
      String id = admin.sql("SELECT 42 AS answer").expect(200).json().path("id").asText();
      assertThat(admin.get("/jobs/" + id).expect(200).json().path("principal").asText())
          .isEqualTo(Authenticator.ADMIN);
    }
  }

  /**
   * The console's files are public (they hold no data); a script's 401 has no Basic challenge, so
   * the console's own sign-in shows instead of the browser's prompt.
   */
  private static void consoleFilesNeedNoCredentials(int port) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + port;
    for (String path :
        List.of(
            "/",
            "/js/app.js",
            "/webjars/codemirror/5.65.21/lib/codemirror.js",
            "/webjars/tabulator-tables/6.3.1/dist/js/tabulator_esm.min.js",
            "/webjars/echarts/5.3.1/dist/echarts.min.js")) {
      HttpResponse<String> file =
          http.send(
              HttpRequest.newBuilder(URI.create(base + path)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(file.statusCode()).as(path).isEqualTo(200);
    }
    // only the console's own files: inference, metrics and a path dressed up as a file are not
    for (String path :
        List.of(
            "/metrics", "/v2/models/any/infer", "/js/../api/v1/catalog", "/css/x/../../metrics")) {
      int status =
          http.send(
                  HttpRequest.newBuilder(URI.create(base + path)).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode();
      assertThat(status).as(path).isIn(400, 401);
    }
    HttpResponse<String> refused =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/api/v1/catalog"))
                .header("X-Requested-With", "dataflow-console")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(refused.statusCode()).isEqualTo(401);
    assertThat(refused.headers().firstValue("WWW-Authenticate")).isEmpty();
  }

  @Test
  void bindsOnlyToItsHost() throws Exception {
    client.get("/health").expect(200);
    List<InetAddress> others =
        NetworkInterface.networkInterfaces()
            .flatMap(NetworkInterface::inetAddresses)
            .filter(address -> !address.isLoopbackAddress() && !address.isLinkLocalAddress())
            .toList();
    for (InetAddress other : others) {
      try (Socket socket = new Socket()) {
        assertThatThrownBy(() -> socket.connect(new InetSocketAddress(other, api.port()), 1000))
            .as(other.toString())
            .isInstanceOf(IOException.class);
      }
    }
  }

  @Test
  void keepsADatasetsDescriptionAndTags() {
    run("CREATE TABLE notes.t AS SELECT 1 AS id");
    Answer blank = client.get("/catalog/notes.t/notes").expect(200);
    assertThat(blank.json().path("description").asText()).isEmpty();
    assertThat(blank.json().path("updatedAt").isNull()).isTrue();
    JsonNode saved =
        client
            .put(
                "/catalog/notes.t/notes",
                "{\"description\": \"One row\", \"tags\": [\" demo \", \"small\", \"demo\"]}")
            .expect(200)
            .json();
    assertThat(saved.path("tags").toString()).isEqualTo("[\"demo\",\"small\"]");
    client
        .put("/catalog/notes.t/notes", "{\"description\": \"One row\", \"tags\": [\"small\"]}")
        .expect(200);
    JsonNode read = client.get("/catalog/notes.t/notes").expect(200).json();
    assertThat(read.path("description").asText()).isEqualTo("One row");
    assertThat(read.path("tags").toString()).isEqualTo("[\"small\"]");
    assertThat(read.path("updatedBy").asText()).isEqualTo("local");
    assertThat(
            client
                .put("/catalog/notes.t/notes", "{\"description\": \"x\", \"tags\": [\"a\\nb\"]}")
                .expect(400)
                .json()
                .path("message")
                .asText())
        .contains("Tag");
    client.put("/catalog/notes.t/notes", "{\"tags\": []}").expect(400);
    client.get("/catalog/notes/notes").expect(400);
    client.get("/catalog/notes.nope/notes").expect(404);
  }

  @Test
  void downloadsAResultAsCsvOrParquet() throws Exception {
    JsonNode job = run("SELECT range AS id, 'x,' || range AS label FROM range(3)");
    String id = job.path("id").asText();
    Answer csv = client.get("/jobs/" + id + "/download?format=csv").expect(200);
    assertThat(csv.header("Content-Disposition")).contains(id + ".csv");
    assertThat(csv.response().body()).isEqualTo("id,label\n0,\"x,0\"\n1,\"x,1\"\n2,\"x,2\"\n");
    Answer parquet = client.get("/jobs/" + id + "/download?format=parquet").expect(200);
    assertThat(parquet.response().body()).startsWith("PAR1").endsWith("PAR1");
    client.get("/jobs/" + id + "/download?format=xlsx").expect(400);
    client.get("/jobs/" + id + "/download").expect(400);
    String statement = run("CREATE TABLE dl.t AS SELECT 1 AS id").path("id").asText();
    client.get("/jobs/" + statement + "/download?format=csv").expect(404);
    try (java.util.stream.Stream<Path> left = Files.list(dir.resolve("spill"))) {
      assertThat(left.filter(f -> f.getFileName().toString().startsWith("export-"))).isEmpty();
    }
  }
}
