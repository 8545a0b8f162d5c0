package dev.dataflow.spark;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Dataflow's REST API under {@code /api/v1}, as a client: statements as jobs, the catalog. */
final class DataflowRest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  DataflowRest(String url) {
    this.base = url + "/api/v1";
  }

  /** Runs a statement to its end; fails unless it completed. */
  JsonNode run(String sql) throws IOException, InterruptedException {
    String body = JSON.writeValueAsString(Map.of("sql", sql));
    JsonNode started =
        send(HttpRequest.newBuilder(URI.create(base + "/sql")).POST(ofString(body)), 200);
    String job = "/jobs/" + started.path("id").asText();
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode status = get(job);
    while (List.of("RUNNING", "QUEUED").contains(status.path("status").asText())
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
      status = get(job);
    }
    assertThat(status.path("status").asText()).as(sql + " -> " + status).isEqualTo("COMPLETED");
    return status;
  }

  /** A query's rows, each a list of its values as text. */
  List<List<String>> rows(String sql) throws IOException, InterruptedException {
    String id = run(sql).path("id").asText();
    List<List<String>> rows = new ArrayList<>();
    for (JsonNode row : get("/jobs/" + id + "/results?limit=1000").path("rows")) {
      List<String> values = new ArrayList<>();
      row.forEach(value -> values.add(value.isNull() ? null : value.asText()));
      rows.add(values);
    }
    return rows;
  }

  /** A catalog entry as the console reads it: a space's or folder's children, a dataset. */
  JsonNode catalog(String path) throws IOException, InterruptedException {
    return get("/catalog/" + URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20"));
  }

  private JsonNode get(String path) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET(), 200);
  }

  private JsonNode send(HttpRequest.Builder request, int expected)
      throws IOException, InterruptedException {
    HttpResponse<String> answer =
        http.send(
            request.header("Content-Type", "application/json").build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(expected);
    return JSON.readTree(answer.body());
  }

  private static HttpRequest.BodyPublisher ofString(String body) {
    return HttpRequest.BodyPublishers.ofString(body);
  }
}
