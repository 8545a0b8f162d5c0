package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.http.ApiClient.Answer;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The pipelines REST API over a temporary lake: apply, validate, preview, run in the background,
 * follow runs and error records, query what was loaded, read the metrics, stop, delete.
 */
class PipelinesApiIT {
  @TempDir static Path dir;
  private static Lake lake;
  private static SqlService sql;
  private static PrometheusMeterRegistry metrics;
  private static Pipelines pipelines;
  private static HttpApi api;
  private static ApiClient client;
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    lake = Lake.open(LakeConfig.embedded(dir.resolve("data")));
    sql = new SqlService(lake, EngineConfig.defaults(dir.resolve("data")));
    metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    pipelines = new Pipelines(sql, metrics);
    api = HttpApi.start(sql, pipelines, metrics, Authenticator.open(), "127.0.0.1", 0);
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

  /** A files pipeline over {@code in/<folder>} (relative: resolved against the base directory). */
  private static String yaml(String name, String folder, String table, String extra) {
    return """
        name: %s
        origin:
          type: files
          path: in/%s
          glob: "*.csv"
          format: csv
          columns: {id: BIGINT, email: VARCHAR, amount: "DECIMAL(10,2)"}
        transforms:
          - name: clean
            sql: SELECT id, lower(email) AS email, amount FROM input
        constraints:
          not_null: [email]
          checks:
            - {name: positive, sql: "amount >= 0"}
        destination:
          table: %s
          mode: append
        %s
        """
        .formatted(name, folder, table, extra);
  }

  private static Answer apply(String name, String yaml) {
    String base = URLEncoder.encode(dir.toString(), StandardCharsets.UTF_8);
    return client.put("/pipelines/" + name + "?base=" + base, yaml);
  }

  private static Path folder(String name) throws IOException {
    return Files.createDirectories(dir.resolve("in").resolve(name));
  }

  /** Writes beside the glob, then renames, so a running pipeline never sees half a file. */
  private static void drop(Path folder, String file, String text) throws IOException {
    Path partial = folder.resolve(file + ".partial");
    Files.writeString(partial, text);
    Files.move(partial, folder.resolve(file), StandardCopyOption.ATOMIC_MOVE);
  }

  private static JsonNode status(String name) {
    return client.get("/pipelines/" + name).expect(200).json().path("status");
  }

  private static String awaitEnd(String name) {
    await(() -> !status(name).path("state").asText().equals("RUNNING"), "end of " + name);
    return status(name).path("state").asText();
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      sleep(50);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs a query as a job through the API; its rows as "a|b|c" texts. */
  private static List<String> query(String statement) {
    String id = client.sql(statement).expect(200).json().path("id").asText();
    await(
        () ->
            !client.get("/jobs/" + id).expect(200).json().path("status").asText().equals("RUNNING"),
        "job " + id);
    List<String> rows = new ArrayList<>();
    for (JsonNode row : client.get("/jobs/" + id + "/results").expect(200).json().path("rows")) {
      List<String> values = new ArrayList<>();
      row.forEach(value -> values.add(value.asText()));
      rows.add(String.join("|", values));
    }
    return rows;
  }

  /** {@code GET /metrics}, optionally with Basic credentials for user admin. */
  private static HttpResponse<String> scrape(int port, String password) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"));
    if (password != null) {
      String credentials =
          Base64.getEncoder()
              .encodeToString(("admin:" + password).getBytes(StandardCharsets.UTF_8));
      request.header("Authorization", "Basic " + credentials);
    }
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The value of one sample, by name and exact label set as Prometheus writes it; null if absent.
   */
  private static Double sample(String text, String name, String labels) {
    String prefix = name + "{" + labels + "} ";
    return text.lines()
        .filter(line -> line.startsWith(prefix))
        .map(line -> Double.valueOf(line.substring(prefix.length()).trim()))
        .findFirst()
        .orElse(null);
  }

  private static Double metric(String name, String pipeline) throws Exception {
    return sample(scrape(api.port(), null).body(), name, "pipeline=\"" + pipeline + "\"");
  }

  @Test
  void appliesRunsAndReportsAFilesPipeline() throws Exception {
    Path in = folder("orders");
    Files.writeString(
        in.resolve("a.csv"), "id,email,amount\n1,A@x.com,10.50\n2,b@x.com,2\n3,c@x.com,3\n");
    Files.writeString(
        in.resolve("b.csv"), "id,email,amount\n4,d@x.com,4\n5,,5\n6,f@x.com,-6\n7,g@x.com,abc\n");

    JsonNode applied =
        apply("orders", yaml("orders", "orders", "shop.orders", "")).expect(200).json();
    assertThat(applied.path("name").asText()).isEqualTo("orders");
    assertThat(applied.path("state").asText()).isEqualTo("CREATED");
    List<String> names = new ArrayList<>();
    client.get("/pipelines").expect(200).json().forEach(p -> names.add(p.path("name").asText()));
    assertThat(names).contains("orders");
    JsonNode described = client.get("/pipelines/orders").expect(200).json();
    assertThat(described.path("definition").asText()).contains("table: shop.orders");
    List<String> stages = new ArrayList<>();
    described
        .path("stages")
        .forEach(s -> stages.add(s.path("kind").asText() + ":" + s.path("name").asText()));
    assertThat(stages)
        .containsExactly(
            "origin:files",
            "transform:clean",
            "constraints:constraints",
            "destination:shop.orders",
            "errors:shop.orders_errors");
    assertThat(described.path("status").path("state").asText()).isEqualTo("CREATED");

    // a preview runs every stage over the first rows and commits nothing
    JsonNode preview = client.post("/pipelines/orders/preview?limit=5", "").expect(200).json();
    assertThat(preview.path("stages").has("input")).isTrue();
    JsonNode clean = preview.path("stages").path("clean");
    assertThat(clean.path("columns").toString()).isEqualTo("[\"id\",\"email\",\"amount\"]");
    assertThat(clean.path("rows").get(0).get(1).asText()).isEqualTo("a@x.com");
    assertThat(preview.path("errors").path("rows")).isNotEmpty();
    client.post("/pipelines/orders/preview?limit=0", "").expect(400);
    assertThat(client.get("/catalog/shop.orders").status()).isEqualTo(404);

    JsonNode started = client.post("/pipelines/orders/start", "").expect(200).json();
    assertThat(started.path("name").asText()).isEqualTo("orders");
    assertThat(awaitEnd("orders")).isEqualTo("FINISHED");
    JsonNode lastRun = status("orders").path("lastRun");
    assertThat(lastRun.path("rowsOut").asLong()).isEqualTo(4);

    JsonNode runs = client.get("/pipelines/orders/runs?limit=10").expect(200).json();
    assertThat(runs).hasSize(1);
    JsonNode run = runs.get(0);
    assertThat(run.path("status").asText()).isEqualTo("FINISHED");
    assertThat(run.path("rowsIn").asLong()).isEqualTo(7);
    assertThat(run.path("rowsOut").asLong()).isEqualTo(4);
    assertThat(run.path("rowsError").asLong()).isEqualTo(3);
    assertThat(run.path("files").asInt()).isEqualTo(2);
    assertThat(run.path("bytes").asLong()).isPositive();
    assertThat(run.path("snapshotId").isNull()).isFalse();

    JsonNode errors = client.get("/pipelines/orders/errors?limit=10").expect(200).json();
    List<String> columns = new ArrayList<>();
    errors.path("columns").forEach(c -> columns.add(c.asText()));
    assertThat(columns).startsWith("run_id", "file", "row", "stage", "reason");
    List<String> records = new ArrayList<>();
    for (JsonNode row : errors.path("rows")) {
      assertThat(row.get(0).asText()).isEqualTo(run.path("id").asText());
      records.add(
          row.get(1).asText()
              + "|"
              + row.get(2).asText()
              + "|"
              + row.get(3).asText()
              + "|"
              + row.get(4).asText());
    }
    // a cast error knows its file and line; the stage dropped those, so a constraint error does not
    assertThat(records)
        .containsExactlyInAnyOrder(
            in.resolve("b.csv") + "|5|cast|column amount: 'abc' is not a DECIMAL(10,2)",
            "null|null|constraint|not_null: email is null",
            "null|null|constraint|check positive failed: amount >= 0");
    client.get("/pipelines/orders/errors?limit=0").expect(400);

    assertThat(query("SELECT id, email, amount FROM shop.orders ORDER BY id"))
        .containsExactly("1|a@x.com|10.5", "2|b@x.com|2", "3|c@x.com|3", "4|d@x.com|4");

    String scraped = scrape(api.port(), null).body();
    String orders = "pipeline=\"orders\"";
    assertThat(sample(scraped, "dataflow_pipeline_rows_out_total", orders)).isEqualTo(4.0);
    assertThat(sample(scraped, "dataflow_pipeline_rows_in_total", orders)).isEqualTo(7.0);
    assertThat(sample(scraped, "dataflow_pipeline_rows_error_total", orders)).isEqualTo(3.0);
    assertThat(sample(scraped, "dataflow_pipeline_batches_total", orders)).isEqualTo(1.0);
    assertThat(sample(scraped, "dataflow_pipeline_batch_seconds_count", orders)).isEqualTo(1.0);
    assertThat(sample(scraped, "dataflow_pipeline_bytes_total", orders))
        .isEqualTo(run.path("bytes").asDouble());
    // 7 rows read, 1 failed its cast before the stages; the constraints run after them
    assertThat(sample(scraped, "dataflow_pipeline_stage_rows_total", orders + ",stage=\"input\""))
        .isEqualTo(6.0);
    assertThat(sample(scraped, "dataflow_pipeline_stage_rows_total", orders + ",stage=\"clean\""))
        .isEqualTo(6.0);
    assertThat(sample(scraped, "dataflow_pipeline_running", orders)).isEqualTo(0.0);
    assertThat(sample(scraped, "dataflow_pipeline_lag_seconds", orders)).isNaN();
    assertThat(sample(scraped, "dataflow_pipeline_last_commit_timestamp_seconds", orders))
        .isBetween(
            System.currentTimeMillis() / 1000.0 - 120, System.currentTimeMillis() / 1000.0 + 1);

    // a second run finds nothing new: one more run, no more rows
    client.post("/pipelines/orders/start", "").expect(200);
    assertThat(awaitEnd("orders")).isEqualTo("FINISHED");
    assertThat(client.get("/pipelines/orders/runs").expect(200).json()).hasSize(2);
    assertThat(status("orders").path("lastRun").path("files").asInt()).isZero();
    assertThat(metric("dataflow_pipeline_rows_out_total", "orders")).isEqualTo(4.0);
    assertThat(query("SELECT count(*) FROM shop.orders")).containsExactly("4");
  }

  @Test
  void refusesInvalidDefinitionsWithWhereAndWhy() throws Exception {
    folder("typo");
    String bad = yaml("typo", "typo", "shop.typo", "").replace("format: csv", "format: xml");
    Answer invalid = apply("typo", bad).expect(400);
    assertThat(invalid.json().path("errorCode").asText()).isEqualTo("INVALID_ARGUMENT");
    int line = invalid.json().path("line").asInt();
    assertThat(bad.lines().toList().get(line - 1)).contains("format: xml");
    assertThat(invalid.json().path("message").asText())
        .contains("line " + line)
        .contains("origin.format")
        .contains("csv, json, parquet");

    Answer misspelt =
        apply("typo", yaml("typo", "typo", "shop.typo", "").replace("destination:", "destinaton:"));
    assertThat(misspelt.expect(400).json().path("message").asText())
        .contains("destinaton")
        .contains("valid fields here")
        .contains("did you mean 'destination'");
    client.get("/pipelines/typo").expect(404);

    Answer mismatch = apply("other", yaml("typo", "typo", "shop.typo", "")).expect(400);
    assertThat(mismatch.json().path("message").asText()).contains("typo").contains("other");
    client.get("/pipelines/other").expect(404);

    for (String path :
        List.of("/pipelines/nope", "/pipelines/nope/runs", "/pipelines/nope/errors")) {
      assertThat(client.get(path).expect(404).json().path("errorCode").asText())
          .as(path)
          .isEqualTo("NOT_FOUND");
    }
    client.post("/pipelines/nope/start", "").expect(404);
    client.post("/pipelines/nope/stop", "").expect(404);
    client.post("/pipelines/nope/preview", "").expect(404);
    client.delete("/pipelines/nope").expect(404);
  }

  @Test
  void aContinuousPipelineTakesNewFilesUntilStopped() throws Exception {
    Path in = folder("events");
    drop(in, "1.csv", "id,email,amount\n1,a@x.com,1\n2,b@x.com,2\n");
    apply(
            "events",
            yaml(
                "events",
                "events",
                "stream.events",
                "mode: continuous\ncommit: {max_interval: 1s}"))
        .expect(200);
    client.post("/pipelines/events/start", "").expect(200);
    client.post("/pipelines/events/start", "").expect(409);
    await(() -> rowsOut("events") == 2, "first file");
    assertThat(status("events").path("state").asText()).isEqualTo("RUNNING");

    drop(in, "2.csv", "id,email,amount\n3,c@x.com,3\n4,,4\n5,e@x.com,5\n");
    await(
        () -> query("SELECT count(*) FROM stream.events").equals(List.of("4")),
        "second file's rows");
    assertThat(query("SELECT id FROM stream.events ORDER BY id"))
        .containsExactly("1", "2", "3", "5");
    assertThat(status("events").path("live").path("rowsOut").asLong()).isEqualTo(4);

    assertThat(metric("dataflow_pipeline_running", "events")).isEqualTo(1.0);
    assertThat(metric("dataflow_pipeline_rows_out_total", "events")).isEqualTo(4.0);
    assertThat(metric("dataflow_pipeline_rows_error_total", "events")).isEqualTo(1.0);
    assertThat(metric("dataflow_pipeline_lag_seconds", "events")).isBetween(0.0, 60.0);

    JsonNode stopped = client.post("/pipelines/events/stop", "").expect(200).json();
    assertThat(stopped.path("state").asText()).isEqualTo("STOPPED");
    assertThat(status("events").path("state").asText()).isEqualTo("STOPPED");
    client.post("/pipelines/events/stop", "").expect(400);
    assertThat(metric("dataflow_pipeline_running", "events")).isEqualTo(0.0);
    assertThat(metric("dataflow_pipeline_lag_seconds", "events")).isNaN();

    client.delete("/pipelines/events").expect(204);
    client.get("/pipelines/events").expect(404);
    client.delete("/pipelines/events").expect(404);
  }

  @Test
  void aRefusedNameMismatchStoresNothing() throws IOException {
    folder("kept");
    apply("kept", yaml("kept", "kept", "shop.kept", "")).expect(200);
    String replaced = yaml("kept", "kept", "shop.replaced", "");
    apply("elsewhere", replaced).expect(400);
    client.get("/pipelines/kept").expect(200);
    assertThat(client.get("/pipelines/kept").expect(200).json().path("definition").asText())
        .as("the refused PUT must not replace the stored definition")
        .contains("shop.kept");
  }

  /** Rows written by a running pipeline since it started, from its live counters. */
  private static long rowsOut(String name) {
    return status(name).path("live").path("rowsOut").asLong();
  }

  @Test
  void servesMetricsAsPrometheusTextToAuthenticatedScrapers() throws Exception {
    HttpResponse<String> open = scrape(api.port(), null);
    assertThat(open.statusCode()).isEqualTo(200);
    assertThat(open.headers().firstValue("Content-Type").orElse(""))
        .startsWith("text/plain")
        .contains("version=0.0.4");

    try (HttpApi secured =
        HttpApi.start(
            sql, pipelines, metrics, Authenticator.withPassword("s3cret"), "127.0.0.1", 0)) {
      assertThat(scrape(secured.port(), null).statusCode()).isEqualTo(401);
      assertThat(scrape(secured.port(), "wrong").statusCode()).isEqualTo(401);
      assertThat(scrape(secured.port(), "s3cret").statusCode()).isEqualTo(200);
    }

    Map<String, Object> openApi =
        new Yaml().load(client.get("/openapi.yaml").expect(200).response().body());
    assertThat(openApi.get("paths").toString()).contains("/metrics=");
  }
}
