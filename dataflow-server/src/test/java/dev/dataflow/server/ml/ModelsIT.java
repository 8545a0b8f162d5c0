package dev.dataflow.server.ml;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.ml.OnnxWriter;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.arrow.flight.CallOption;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.grpc.CredentialCallOption;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Models over the wire, as a client and a notebook use them: REST, V2 inference, Flight SQL. */
class ModelsIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PASSWORD = "s3cret";

  @TempDir static Path dir;
  static DataflowServer server;
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    server =
        DataflowServer.start(
            ServerConfig.embedded(dir).withPorts(0, 0).withDemo(false, 0).withPassword(PASSWORD));
    sql(
        """
        CREATE TABLE shop.customers AS
        SELECT i AS id, (hash(i) % 100)::DOUBLE AS usage, (hash(i * 7) % 10)::DOUBLE AS tickets,
               CASE WHEN (hash(i) % 100) < 40 AND (hash(i * 7) % 10) > 3 THEN 1 ELSE 0 END AS churned
        FROM range(2000) t(i)""");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static void sql(String statement) {
    try (var execution = server.sql().execute("setup", statement)) {
      // the table exists when execute returns
    }
  }

  record Response(int status, JsonNode body) {}

  private static String json(Object... pairs) throws Exception {
    java.util.Map<String, Object> map = new java.util.LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      map.put((String) pairs[i], pairs[i + 1]);
    }
    return JSON.writeValueAsString(map);
  }

  private static Response send(String method, String path, String body) throws Exception {
    return send(method, path, HttpRequest.BodyPublishers.ofString(body), true);
  }

  private static Response send(
      String method, String path, HttpRequest.BodyPublisher body, boolean signedIn)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(server.httpUrl() + path)).method(method, body);
    if (signedIn) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString(("admin:" + PASSWORD).getBytes(StandardCharsets.UTF_8)));
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    String text = response.body();
    return new Response(
        response.statusCode(), text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text));
  }

  @Test
  void trainsDeploysAndServesOverRestAndV2() throws Exception {
    Response trained =
        send(
            "POST",
            "/api/v1/models/churn/train",
            """
            {"dataset": "shop.customers", "target": "churned", "features": ["usage", "tickets"],
             "params": {"num_round": 30}, "seed": 3}""");
    assertThat(trained.status).as(trained.body.toString()).isEqualTo(201);
    assertThat(trained.body.path("metrics").path("auc").asDouble()).isGreaterThan(0.9);
    assertThat(trained.body.path("lineage").get(0).path("dataset").asText())
        .isEqualTo("shop.customers");
    send(
        "POST",
        "/api/v1/models/churn/train",
        "{\"dataset\": \"shop.customers\", \"target\": \"churned\", \"features\": [\"usage\", \"tickets\"], \"seed\": 4}");
    assertThat(send("PUT", "/api/v1/models/churn/aliases/champion", "{\"version\": 1}").status)
        .isEqualTo(200);
    Response deployed =
        send("PUT", "/api/v1/models/churn/deployment", "{\"target\": \"champion\"}");
    assertThat(deployed.body.path("version").asInt()).isEqualTo(1);

    Response shown = send("GET", "/api/v1/models/churn", "");
    assertThat(shown.status).as(shown.body.toString()).isEqualTo(200);
    assertThat(shown.body.path("model").path("aliases").path("champion").asInt()).isEqualTo(1);
    assertThat(shown.body.path("versions")).hasSize(2);
    assertThat(shown.body.path("deployment").path("target").asText()).isEqualTo("champion");
    // the versions that answer, resolved from the live route (champion is version 1)
    assertThat(shown.body.path("deployment").path("version").asInt()).isEqualTo(1);
    assertThat(shown.body.path("deployment").path("canary_version").asInt()).isZero();
    assertThat(send("GET", "/v2/health/live", "").body.path("live").asBoolean()).isTrue();
    assertThat(send("GET", "/v2/models/churn/ready", "").body.path("ready").asBoolean()).isTrue();
    JsonNode metadata = send("GET", "/v2/models/churn", "").body;
    assertThat(metadata.path("platform").asText()).isEqualTo("xgboost");
    assertThat(metadata.path("inputs").get(1).path("name").asText()).isEqualTo("tickets");
    String row =
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [10, 8]}]}";
    Response v2 = send("POST", "/v2/models/churn/infer", row);
    assertThat(v2.body.path("outputs").get(0).path("data").get(0).asDouble()).isGreaterThan(0.5);
    assertThat(
            send("POST", "/v2/models/churn/versions/2/infer", row)
                .body
                .path("model_version")
                .asText())
        .isEqualTo("2");

    Response unsigned =
        send("POST", "/v2/models/churn/infer", HttpRequest.BodyPublishers.ofString(row), false);
    assertThat(unsigned.status).isEqualTo(401);
    Response missing = send("POST", "/v2/models/churn/infer", "{\"instances\": [{\"usage\": 1}]}");
    assertThat(missing.status).isEqualTo(400);
    assertThat(missing.body.path("error").asText()).contains("missing features [tickets]");
    assertThat(send("POST", "/v2/models/nope/infer", row).status).isEqualTo(404);
    assertThat(send("POST", "/v2/models/churn/versions/7/infer", row).status).isEqualTo(404);
    assertThat(send("POST", "/v2/models/churn/infer", "not json").status).isEqualTo(400);

    Response scored =
        send(
            "POST",
            "/api/v1/models/churn/score",
            "{\"version\": \"champion\", \"dataset\": \"shop.customers\", \"output\": \"shop.scored\"}");
    assertThat(scored.status).as(scored.body.toString()).isEqualTo(201);
    assertThat(scored.body.path("rows").asLong()).isEqualTo(2000);
  }

  @Test
  void movingAnAliasDropsNoRequest() throws Exception {
    for (int seed = 1; seed <= 2; seed++) {
      send(
          "POST",
          "/api/v1/models/swap/train",
          "{\"dataset\": \"shop.customers\", \"target\": \"churned\", \"features\": [\"usage\", \"tickets\"], \"params\": {\"num_round\": 5}, \"seed\": "
              + seed
              + "}");
    }
    send("PUT", "/api/v1/models/swap/aliases/champion", "{\"version\": 1}");
    send("PUT", "/api/v1/models/swap/deployment", "{\"target\": \"champion\"}");
    AtomicBoolean running = new AtomicBoolean(true);
    ConcurrentHashMap<String, Integer> seen = new ConcurrentHashMap<>();
    ExecutorService clients = Executors.newFixedThreadPool(4);
    List<Future<Integer>> failures = new ArrayList<>();
    String body = "{\"instances\": [[10, 8]]}";
    for (int i = 0; i < 4; i++) {
      failures.add(
          clients.submit(
              () -> {
                int failed = 0;
                for (int n = 0; n < 2000 && (running.get() || n < 50); n++) {
                  Response answer = send("POST", "/v2/models/swap/infer", body);
                  if (answer.status != 200) {
                    failed++;
                  } else {
                    seen.merge(answer.body.path("model_version").asText(), 1, Integer::sum);
                  }
                }
                return failed;
              }));
    }
    Thread.sleep(300);
    for (int move = 0; move < 6; move++) {
      send("PUT", "/api/v1/models/swap/aliases/champion", "{\"version\": " + (move % 2 + 1) + "}");
      Thread.sleep(100);
    }
    running.set(false);
    int failed = 0;
    for (Future<Integer> future : failures) {
      failed += future.get();
    }
    clients.shutdown();
    assertThat(failed).isZero();
    assertThat(seen.keySet()).containsExactlyInAnyOrder("1", "2");
  }

  /** The notebook path: pull a dataset as Arrow over Flight SQL, register an ONNX model, infer. */
  @Test
  void notebookPullsArrowRegistersOnnxAndInfers() throws Exception {
    double[] sums = new double[2];
    try (BufferAllocator allocator = new RootAllocator();
        FlightClient flight =
            FlightClient.builder(
                    allocator, Location.forGrpcInsecure("127.0.0.1", server.flightPort()))
                .build();
        FlightSqlClient client = new FlightSqlClient(flight)) {
      Optional<CredentialCallOption> token = flight.authenticateBasicToken("admin", PASSWORD);
      CallOption[] auth = {token.orElseThrow()};
      FlightInfo info =
          client.execute("SELECT usage, tickets FROM shop.customers WHERE id < 100", auth);
      try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket(), auth)) {
        while (stream.next()) {
          VectorSchemaRoot batch = stream.getRoot();
          for (int i = 0; i < 2; i++) {
            FieldVector vector = batch.getVector(i);
            for (int r = 0; r < batch.getRowCount(); r++) {
              sums[i] += ((Number) vector.getObject(r)).doubleValue();
            }
          }
        }
      }
    }
    // the "notebook" fits its model elsewhere; here, mean usage per ticket as a linear model
    float weight = (float) (sums[0] / Math.max(1, sums[1]));
    // padded past the server's 1 MB request limit for JSON: model files are bigger than that
    byte[] onnx = OnnxWriter.padded(OnnxWriter.linear(new float[] {1, weight}, 0), 3 << 20);
    Response imported =
        send(
            "POST",
            "/api/v1/models/usage_score/versions?format=onnx&task=regression&features=usage,tickets",
            HttpRequest.BodyPublishers.ofByteArray(onnx),
            true);
    assertThat(imported.status).as(imported.body.toString()).isEqualTo(201);
    send("PUT", "/api/v1/models/usage_score/deployment", "{\"target\": \"1\"}");
    Response answer =
        send(
            "POST",
            "/v2/models/usage_score/infer",
            "{\"instances\": [{\"usage\": 2, \"tickets\": 3}]}");
    assertThat(answer.body.path("predictions").get(0).floatValue()).isEqualTo(2 + 3 * weight);

    Response corrupt =
        send(
            "POST",
            "/api/v1/models/usage_score/versions?format=onnx&task=regression&features=usage,tickets",
            HttpRequest.BodyPublishers.ofByteArray(new byte[] {8, 1, 2, 3}),
            true);
    assertThat(corrupt.status).isEqualTo(400);
    assertThat(corrupt.body.path("message").asText()).contains("Not a readable ONNX model");
    assertThat(send("GET", "/v2/models/usage_score/ready", "").status).isEqualTo(200);
  }
}
