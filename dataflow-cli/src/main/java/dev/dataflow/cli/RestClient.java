package dev.dataflow.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
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
import java.util.Base64;
import java.util.Map;

/** A small client of Dataflow's public REST API; a non-2xx answer becomes a {@link ServerError}. */
final class RestClient {
  // decimals from the server are exact: keep them exact
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final String base;
  private final String authorization;

  RestClient(String server, String user, String password) {
    this.base = server.endsWith("/") ? server.substring(0, server.length() - 1) : server;
    this.authorization =
        password == null || password.isEmpty()
            ? null
            : "Basic "
                + Base64.getEncoder()
                    .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** An error the server answered with: its code, message and, for SQL, position. */
  static final class ServerError extends RuntimeException {
    final int status;
    final JsonNode body;

    ServerError(int status, JsonNode body, String message) {
      super(message);
      this.status = status;
      this.body = body;
    }
  }

  JsonNode get(String path) {
    return send(request(path).GET());
  }

  JsonNode post(String path, Object body) {
    try {
      String json = JSON.writeValueAsString(body);
      return send(
          request(path)
              .header("Content-Type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(json)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** POSTs without a body, for actions such as {@code /start}. */
  JsonNode post(String path) {
    return send(request(path).POST(HttpRequest.BodyPublishers.noBody()));
  }

  /** POSTs a file's bytes, for model imports. */
  JsonNode post(String path, byte[] body) {
    return send(
        request(path)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  JsonNode put(String path, String body, String contentType) {
    return send(
        request(path)
            .header("Content-Type", contentType)
            .PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  void delete(String path) {
    send(request(path).DELETE());
  }

  static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(30));
    if (authorization != null) {
      builder.header("Authorization", authorization);
    }
    return builder;
  }

  private JsonNode send(HttpRequest.Builder request) {
    HttpResponse<String> response;
    try {
      response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot reach Dataflow at " + base + " (is `./dataflow up` running?): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted");
    }
    JsonNode body = parse(response.body());
    if (response.statusCode() / 100 != 2) {
      throw new ServerError(response.statusCode(), body, describe(response.statusCode(), body));
    }
    return body;
  }

  private static JsonNode parse(String text) {
    try {
      return text == null || text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
    } catch (IOException e) {
      return JSON.valueToTree(Map.of("message", text));
    }
  }

  private static String describe(int status, JsonNode body) {
    String message = body.path("message").asText("HTTP " + status);
    int line = body.path("line").asInt(0);
    // a message listing several problems already names each one's line
    boolean positioned = message.contains("line " + line + ",");
    return line > 0 && !positioned
        ? message + " (line " + line + ", column " + body.path("column").asInt() + ")"
        : message;
  }
}
