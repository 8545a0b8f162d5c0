package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code POST /pipelines/{name}/ingest} over a temporary lake: rows pushed as JSON lines or arrays
 * are committed by the running pipeline, bad lines become parse errors, a pipeline that is behind
 * answers 429, and spooled rows are committed exactly once across a restart.
 */
class HttpIngestIT {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  @TempDir Path dir;

  /** Lake, SQL, pipelines and API over one data directory, as a server process holds them. */
  private static final class Server implements AutoCloseable {
    final Lake lake;
    final SqlService sql;
    final Pipelines pipelines;
    final HttpApi api;
    final ApiClient client;
    final Path base;

    Server(Path dir) {
      base = dir;
      lake = Lake.open(LakeConfig.embedded(dir.resolve("data")));
      sql = new SqlService(lake, EngineConfig.defaults(dir.resolve("data")));
      PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      pipelines = new Pipelines(sql, metrics);
      api = HttpApi.start(sql, pipelines, metrics, Authenticator.open(), "127.0.0.1", 0);
      client = new ApiClient(api.port());
    }

    void apply(String name, String yaml) {
      String encoded = URLEncoder.encode(base.toString(), StandardCharsets.UTF_8);
      client.put("/pipelines/" + name + "?base=" + encoded, yaml).expect(200);
    }

    HttpResponse<String> push(String name, String contentType, String body) {
      HttpRequest request =
          HttpRequest.newBuilder(
                  URI.create(
                      "http://127.0.0.1:" + api.port() + "/api/v1/pipelines/" + name + "/ingest"))
              .header("Content-Type", contentType)
              .POST(HttpRequest.BodyPublishers.ofString(body))
              .build();
      try {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }

    /** Waits until the pipeline's first run ended: a continuous worker then sleeps its interval. */
    void awaitFirstRun(String name) {
      await(
          () ->
              !client
                      .get("/pipelines/" + name + "/runs")
                      .expect(200)
                      .json()
                      .path(0)
                      .path("endedAt")
                      .isMissingNode()
                  && !client
                      .get("/pipelines/" + name + "/runs")
                      .json()
                      .path(0)
                      .path("endedAt")
                      .isNull(),
          "first run of " + name);
    }

    /** Runs a query as a job through the API; its rows as "a|b" texts. */
    List<String> query(String statement) {
      String id = client.sql(statement).expect(200).json().path("id").asText();
      await(
          () ->
              !client
                  .get("/jobs/" + id)
                  .expect(200)
                  .json()
                  .path("status")
                  .asText()
                  .equals("RUNNING"),
          "job " + id);
      List<String> rows = new ArrayList<>();
      for (JsonNode row : client.get("/jobs/" + id + "/results").expect(200).json().path("rows")) {
        List<String> values = new ArrayList<>();
        row.forEach(value -> values.add(value.asText()));
        rows.add(String.join("|", values));
      }
      return rows;
    }

    /** "rows|distinct ids" of a table, or "missing" before its first commit. */
    String counts(String table) {
      if (client.get("/catalog/" + table).status() == 404) {
        return "missing";
      }
      return query("SELECT count(*), count(DISTINCT id) FROM " + table).get(0);
    }

    Path spool(String name) {
      return sql.dataDirectory().resolve("ingest").resolve(name);
    }

    @Override
    public void close() {
      api.close();
      pipelines.close();
      sql.close();
      lake.close();
    }
  }

  private static String yaml(String name, String table, int maxPendingRows, String interval) {
    return """
        name: %s
        origin:
          type: http
          max_pending_rows: %d
        destination:
          table: %s
        mode: continuous
        commit:
          max_interval: %s
        """
        .formatted(name, maxPendingRows, table, interval);
  }

  private static JsonNode json(HttpResponse<String> response) {
    try {
      return new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long spoolFiles(Path spool) throws IOException {
    if (!Files.isDirectory(spool)) {
      return 0;
    }
    try (Stream<Path> files = Files.list(spool)) {
      return files.filter(file -> file.toString().endsWith(".jsonl")).count();
    }
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Test
  void commitsJsonLinesAndArraysAndSplitsOffBadLines() throws Exception {
    try (Server server = new Server(dir)) {
      server.apply("events", yaml("events", "shop.events", 100_000, "100ms"));
      // not running yet: nothing is taken
      assertThat(server.push("events", "application/x-ndjson", "{\"id\": 1}\n").statusCode())
          .isEqualTo(409);
      assertThat(server.push("nope", "application/x-ndjson", "{\"id\": 1}\n").statusCode())
          .isEqualTo(404);
      server.client.post("/pipelines/events/start", "").expect(200);

      HttpResponse<String> lines =
          server.push(
              "events",
              "application/x-ndjson",
              "{\"id\": 1, \"name\": \"a\"}\n{oops\n{\"id\": 2, \"name\": \"b\"}\n{\"id\": 3, \"name\": \"c\"}");
      assertThat(lines.statusCode()).as(lines.body()).isEqualTo(202);
      assertThat(json(lines).path("accepted").asLong()).isEqualTo(4);
      long first = json(lines).path("sequence").asLong();
      HttpResponse<String> array =
          server.push(
              "events",
              "application/json; charset=utf-8",
              "[{\"id\": 4, \"name\": \"d\"}, {\"id\": 5, \"name\": \"e\"}]");
      assertThat(array.statusCode()).as(array.body()).isEqualTo(202);
      assertThat(json(array).path("accepted").asLong()).isEqualTo(2);
      assertThat(json(array).path("sequence").asLong()).isGreaterThan(first);

      HttpResponse<String> garbage =
          server.push("events", "application/x-ndjson", "this is not json\nnor this\n");
      assertThat(garbage.statusCode()).isEqualTo(400);
      assertThat(json(garbage).path("message").asText()).contains("JSON object per line");
      assertThat(server.push("events", "application/json", "{\"id\": ").statusCode())
          .isEqualTo(400);
      assertThat(server.push("events", "text/csv", "id\n1\n").statusCode()).isEqualTo(400);

      await(() -> server.counts("shop.events").equals("5|5"), "5 rows in shop.events");
      assertThat(server.query("SELECT id, name FROM shop.events ORDER BY id"))
          .containsExactly("1|a", "2|b", "3|c", "4|d", "5|e");
      JsonNode errors = server.client.get("/pipelines/events/errors").expect(200).json();
      List<String> stages = new ArrayList<>();
      errors
          .path("rows")
          .forEach(row -> stages.add(row.get(3).asText() + ":" + row.get(5).asText()));
      assertThat(stages).containsExactly("parse:{oops");
      await(() -> uncheckedSpoolFiles(server.spool("events")) == 0, "spool files to be deleted");
      server.client.post("/pipelines/events/stop", "").expect(200);
    }
  }

  private static long uncheckedSpoolFiles(Path spool) {
    try {
      return spoolFiles(spool);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void refusesRowsWhileThePipelineIsBehind() {
    try (Server server = new Server(dir)) {
      // an hour between runs: once the first (empty) run ended nothing commits, so the count is
      // exact
      server.apply("slow", yaml("slow", "shop.slow", 1, "1h"));
      server.client.post("/pipelines/slow/start", "").expect(200);
      server.awaitFirstRun("slow");

      HttpResponse<String> first =
          server.push("slow", "application/x-ndjson", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n");
      assertThat(first.statusCode()).as(first.body()).isEqualTo(202);
      HttpResponse<String> second = server.push("slow", "application/x-ndjson", "{\"id\": 4}\n");
      assertThat(second.statusCode()).as(second.body()).isEqualTo(429);
      assertThat(second.headers().firstValue("Retry-After")).contains("3600");
      assertThat(json(second).path("errorCode").asText()).isEqualTo("RESOURCE_EXHAUSTED");
      assertThat(json(second).path("message").asText()).contains("max_pending_rows 1");
      server.client.post("/pipelines/slow/stop", "").expect(200);
    }
  }

  @Test
  void commitsSpooledRowsExactlyOnceAcrossARestart() throws Exception {
    Path spool;
    // run 1: acknowledged, spooled, never committed (the worker sleeps an hour), then the process
    // goes
    try (Server server = new Server(dir)) {
      server.apply("clicks", yaml("clicks", "shop.clicks", 100_000, "1h"));
      server.client.post("/pipelines/clicks/start", "").expect(200);
      server.awaitFirstRun("clicks");
      assertThat(
              server
                  .push("clicks", "application/x-ndjson", "{\"id\": 1}\n{\"id\": 2}\n{\"id\": 3}\n")
                  .statusCode())
          .isEqualTo(202);
      assertThat(
              server
                  .push("clicks", "application/json", "[{\"id\": 4}, {\"id\": 5}, {\"id\": 6}]")
                  .statusCode())
          .isEqualTo(202);
      spool = server.spool("clicks");
      assertThat(spoolFiles(spool)).isEqualTo(2);
    }
    String first = Files.readString(spool.resolve("1.jsonl"));

    // run 2: the resumed pipeline commits the spool, then takes new rows with later sequences
    try (Server server = new Server(dir)) {
      server.apply("clicks", yaml("clicks", "shop.clicks", 100_000, "100ms"));
      server.pipelines.resume();
      await(() -> server.counts("shop.clicks").equals("6|6"), "the spooled rows");
      HttpResponse<String> more =
          server.push("clicks", "application/x-ndjson", "{\"id\": 7}\n{\"id\": 8}\n{\"id\": 9}\n");
      assertThat(more.statusCode()).as(more.body()).isEqualTo(202);
      assertThat(json(more).path("sequence").asLong()).isEqualTo(3);
      await(() -> server.counts("shop.clicks").equals("9|9"), "the new rows");
      await(() -> uncheckedSpoolFiles(spool) == 0, "spool files to be deleted");
    }
    // a crash between a commit and the deletion of its file leaves the file behind
    Files.writeString(spool.resolve("1.jsonl"), first);

    // run 3: the committed file is dropped, not read again
    try (Server server = new Server(dir)) {
      server.pipelines.resume();
      await(() -> uncheckedSpoolFiles(spool) == 0, "the stale spool file to be dropped");
      assertThat(server.counts("shop.clicks")).isEqualTo("9|9");
      HttpResponse<String> last = server.push("clicks", "application/x-ndjson", "{\"id\": 10}\n");
      assertThat(json(last).path("sequence").asLong()).isEqualTo(4);
      await(() -> server.counts("shop.clicks").equals("10|10"), "the last row");
    }
  }
}
