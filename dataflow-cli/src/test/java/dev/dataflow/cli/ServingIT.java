package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A serving process beside a coordinator, on one PostgreSQL metadata store and one S3 warehouse: it
 * answers V2 inference for a model trained and deployed through the coordinator, reading the model
 * file from the warehouse, and follows an alias moved through the coordinator within seconds.
 */
class ServingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final String ROW =
      "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2],"
          + " \"data\": [10, 8]}]}";

  @TempDir Path dir;

  @Test
  void servesTheDeployedVersionAndFollowsItsAlias() throws Exception {
    try (SharedServices services = new SharedServices(dir)) {
      Map<String, String> environment = services.environment();
      try (ServerProcess coordinator =
              ServerProcess.start(
                  dir.resolve("c"), environment, "--no-demo", "--role", "coordinator");
          ServerProcess serving =
              ServerProcess.start(dir.resolve("s"), environment, "--role", "serving")) {
        RestClient client = new RestClient(coordinator.url, "admin", null);
        CrashRecoveryIT.longs(
            client,
            """
            CREATE TABLE shop.customers AS
            SELECT i AS id, (hash(i) % 100)::DOUBLE AS usage, (hash(i * 7) % 10)::DOUBLE AS tickets,
                   CASE WHEN (hash(i) % 100) < 40 AND (hash(i * 7) % 10) > 3 THEN 1 ELSE 0 END
                     AS churned
            FROM range(2000) t(i)""");
        for (int seed : new int[] {3, 4}) {
          client.post(
              "/api/v1/models/churn/train",
              Map.of(
                  "dataset",
                  "shop.customers",
                  "target",
                  "churned",
                  "features",
                  java.util.List.of("usage", "tickets"),
                  "seed",
                  seed));
        }
        client.put("/api/v1/models/churn/aliases/champion", "{\"version\": 1}", "application/json");
        client.put(
            "/api/v1/models/churn/deployment", "{\"target\": \"champion\"}", "application/json");

        assertThat(awaitVersion(serving, "1").path("outputs").get(0).path("data").get(0).asDouble())
            .isGreaterThan(0.5);
        long moved = System.nanoTime();
        client.put("/api/v1/models/churn/aliases/champion", "{\"version\": 2}", "application/json");
        awaitVersion(serving, "2");
        assertThat((System.nanoTime() - moved) / 1_000_000).as("ms to follow").isLessThan(10_000);
        assertThat(send(serving, "POST", "/api/v1/sql", "{\"sql\": \"SELECT 1\"}").statusCode())
            .as("a serving process answers inference only")
            .isEqualTo(404);
        assertThat(send(serving, "GET", "/api/v1/health", "").statusCode()).isEqualTo(200);
      }
    }
  }

  /** The first answer of the deployed model from {@code version}, within 20 s. */
  private static JsonNode awaitVersion(ServerProcess serving, String version) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    String last = "";
    while (System.nanoTime() < deadline) {
      HttpResponse<String> answer = send(serving, "POST", "/v2/models/churn/infer", ROW);
      last = answer.statusCode() + " " + answer.body();
      if (answer.statusCode() == 200) {
        JsonNode body = JSON.readTree(answer.body());
        if (body.path("model_version").asText().equals(version)) {
          return body;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("version " + version + " never answered; last: " + last);
  }

  private static HttpResponse<String> send(
      ServerProcess server, String method, String path, String body) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(server.url + path))
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
