package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** Drives the REST API as a client does: java.net.http, JSON bodies, optional Basic credentials. */
final class ApiClient {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  /** An answer: status, headers and the body as JSON (missing when empty or not JSON). */
  record Answer(int status, HttpResponse<String> response, JsonNode json) {
    String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    Answer expect(int expected) {
      assertThat(status)
          .as(response.request().method() + " " + response.uri() + " -> " + response.body())
          .isEqualTo(expected);
      return this;
    }
  }

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final String base;
  private final String authorization;

  ApiClient(int port, String user, String password) {
    this.base = "http://127.0.0.1:" + port + "/api/v1";
    this.authorization =
        user == null
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  ApiClient(int port) {
    this(port, null, null);
  }

  /** A dataset path as a URL path segment. */
  static String segment(String path) {
    return URLEncoder.encode(path, StandardCharsets.UTF_8).replace("+", "%20");
  }

  Answer get(String path) {
    return send(request(path).GET());
  }

  Answer delete(String path) {
    return send(request(path).DELETE());
  }

  Answer post(String path, String body) {
    return send(request(path).POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  Answer put(String path, String body) {
    return send(request(path).PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** POST /sql without waiting, for statements that block until they end. */
  CompletableFuture<Answer> submitAsync(String sql) {
    HttpRequest request =
        request("/sql").POST(HttpRequest.BodyPublishers.ofString(sqlBody(sql))).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(ApiClient::answer);
  }

  Answer sql(String sql) {
    return post("/sql", sqlBody(sql));
  }

  static String sqlBody(String sql) {
    try {
      return JSON.writeValueAsString(Map.of("sql", sql));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json");
    return authorization == null ? builder : builder.header("Authorization", authorization);
  }

  private Answer send(HttpRequest.Builder request) {
    try {
      return answer(http.send(request.build(), HttpResponse.BodyHandlers.ofString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static Answer answer(HttpResponse<String> response) {
    JsonNode json;
    try {
      json = response.body().isEmpty() ? MissingNode.getInstance() : JSON.readTree(response.body());
    } catch (IOException e) {
      json = MissingNode.getInstance();
    }
    return new Answer(response.statusCode(), response, json);
  }
}
