package dev.dataflow.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.ml.Task;
import dev.dataflow.ml.registry.ModelRegistry.Deployment;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.serving.Endpoints.Served;
import dev.dataflow.ml.training.TrainSpec;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.Execution;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * V2 REST inference at batch size 1 against in-process calls of the same 100-tree XGBoost model, in
 * one run. The server runs in this JVM on 127.0.0.1 (a free port); the load generator is {@code
 * --clients} closed-loop keep-alive HTTP/1.1 connections on loopback, each sending its next request
 * when the answer arrived, for {@code --seconds}. In-process is the limit: the model's own predict
 * (features already floats) and the same JSON path the server runs (parse, check, predict, answer),
 * each on as many threads as there are clients.
 */
public final class InferenceBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String BODY =
      "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 8],"
          + " \"data\": [0.3, 12.5, 7, 0.1, 44, 3.2, 0.9, 150]}]}";

  private InferenceBench() {}

  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    Map<String, String> options =
        BenchSupport.options(
            args, "InferenceBench [--clients 4] [--seconds 10]", "--clients", "--seconds");
    int clients = Integer.parseInt(options.getOrDefault("--clients", "4"));
    int seconds = Integer.parseInt(options.getOrDefault("--seconds", "10"));
    Path dir = Files.createTempDirectory("inference-bench");
    ServerConfig config = ServerConfig.embedded(dir).withPorts(0, 0).withDemo(false, 0);
    try (DataflowServer server = DataflowServer.start(config)) {
      ModelVersion model = train(server);
      System.out.printf(
          "model: %s v%d, XGBoost, %s trees, 8 features; train AUC on held-out rows %.3f%n",
          model.model(),
          model.version(),
          model.parameters().get("num_round"),
          model.metrics().get("auc"));
      server.models().endpoints().deploy(new Deployment(model.model(), "1", null, 0));
      Served served = server.models().endpoints().load(model);
      float[] row = {0.3f, 12.5f, 7, 0.1f, 44, 3.2f, 0.9f, 150};
      JsonNode body = JSON.readTree(BODY);
      report(
          "in-process: model predict",
          run(
              clients,
              seconds,
              () -> {
                served.runtime().predict(row, 1);
                return true;
              }));
      report(
          "in-process: V2 JSON path",
          run(
              clients,
              seconds,
              () -> {
                server.models().inference().infer(model.model(), 0, JSON.readTree(BODY));
                return true;
              }));
      String path = "/v2/models/" + model.model() + "/infer";
      report(
          "REST floor: GET health/live",
          run(clients, seconds, LoopbackClient.get(server.httpPort(), "/v2/health/live")));
      report(
          "V2 REST on loopback",
          run(clients, seconds, LoopbackClient.post(server.httpPort(), path, BODY)));
      System.out.println(
          "expected answer: " + server.models().inference().infer(model.model(), 0, body));
    }
  }

  private static ModelVersion train(DataflowServer server) {
    try (Execution created =
        server
            .sql()
            .execute(
                "bench",
                """
            CREATE TABLE bench.rows AS
            SELECT (hash(i) % 1000) / 1000.0 AS f1, (hash(i * 3) % 100)::DOUBLE AS f2,
                   (hash(i * 5) % 10)::DOUBLE AS f3, (hash(i * 7) % 1000) / 1000.0 AS f4,
                   (hash(i * 11) % 100)::DOUBLE AS f5, (hash(i * 13) % 50) / 10.0 AS f6,
                   (hash(i * 17) % 1000) / 1000.0 AS f7, (hash(i * 19) % 300)::DOUBLE AS f8,
                   CASE WHEN (hash(i) % 1000) / 1000.0 + (hash(i * 5) % 10) / 10.0
                             + (hash(i * 23) % 100) / 200.0 > 1 THEN 1 ELSE 0 END AS label
            FROM range(50000) t(i)""")) {
      // created when execute returns
    }
    return server
        .models()
        .train(
            new TrainSpec(
                "bench",
                "bench.rows",
                null,
                "label",
                List.of(),
                Task.CLASSIFICATION,
                Map.of("num_round", 100),
                0.2,
                1,
                "inference benchmark"),
            "bench");
  }

  /** One caller's loop: returns false when its answer was not the expected one. */
  interface Call {
    boolean call() throws Exception;
  }

  /** Makes one {@link Call} per client thread (a connection each, for REST). */
  interface CallFactory {
    Call open() throws Exception;
  }

  record Result(long requests, long failures, double seconds, long[] latencies) {}

  private static Result run(int clients, int seconds, Call shared) throws Exception {
    return run(clients, seconds, () -> shared);
  }

  private static Result run(int clients, int seconds, CallFactory factory) throws Exception {
    // a warm-up of a second per run, not measured: JIT and connection set-up
    measure(clients, 1, factory);
    return measure(clients, seconds, factory);
  }

  private static Result measure(int clients, int seconds, CallFactory factory) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    long start = System.nanoTime();
    long end = start + seconds * 1_000_000_000L;
    List<Future<long[]>> futures = new ArrayList<>();
    for (int c = 0; c < clients; c++) {
      futures.add(pool.submit(() -> loop(factory.open(), end)));
    }
    long requests = 0;
    long failures = 0;
    List<long[]> all = new ArrayList<>();
    for (Future<long[]> future : futures) {
      long[] latencies = future.get();
      failures += latencies[0];
      all.add(Arrays.copyOfRange(latencies, 1, latencies.length));
      requests += latencies.length - 1;
    }
    pool.shutdown();
    double elapsed = (System.nanoTime() - start) / 1e9;
    long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Result(requests, failures, elapsed, merged);
  }

  /** Latencies in nanoseconds, after the failure count at index 0. */
  private static long[] loop(Call call, long end) throws Exception {
    long[] latencies = new long[1 << 16];
    int count = 1;
    long failures = 0;
    while (System.nanoTime() < end) {
      long before = System.nanoTime();
      if (!call.call()) {
        failures++;
      }
      if (count == latencies.length) {
        latencies = Arrays.copyOf(latencies, count * 2);
      }
      latencies[count++] = System.nanoTime() - before;
    }
    if (call instanceof AutoCloseable closeable) {
      closeable.close();
    }
    latencies[0] = failures;
    return Arrays.copyOf(latencies, count);
  }

  private static void report(String name, Result result) {
    long[] sorted = result.latencies();
    System.out.printf(
        "%-28s %9.0f req/s  p50 %7.3f ms  p99 %7.3f ms  (%d requests, %d failed, %.1f s)%n",
        name,
        result.requests() / result.seconds(),
        BenchSupport.percentile(sorted, 0.50) / 1e6,
        BenchSupport.percentile(sorted, 0.99) / 1e6,
        result.requests(),
        result.failures(),
        result.seconds());
  }
}
