package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A coordinator and two workers on one PostgreSQL metadata store and one S3 warehouse: a pipeline
 * started through the coordinator runs on the worker that takes its lease; killed with SIGKILL,
 * that worker's pipeline moves to the other one, and the table ends with every row exactly once.
 */
class WorkersIT {
  private static final int FILES = 30;
  private static final int ROWS_PER_FILE = 1_000;

  @TempDir Path dir;

  @Test
  void aKilledWorkersPipelineMovesToTheOtherWorkerAndLosesNothing() throws Exception {
    Path source = Files.createDirectories(dir.resolve("events"));
    write(source, 0, FILES / 2);
    try (SharedServices services = new SharedServices(dir)) {
      Map<String, String> environment = services.environment();
      try (ServerProcess coordinator =
              ServerProcess.start(
                  dir.resolve("c"), environment, "--no-demo", "--role", "coordinator");
          ServerProcess one =
              ServerProcess.start(dir.resolve("w1"), environment, "--role", "worker");
          ServerProcess two =
              ServerProcess.start(dir.resolve("w2"), environment, "--role", "worker")) {
        RestClient client = new RestClient(coordinator.url, "admin", null);
        client.put(
            "/api/v1/pipelines/events",
            """
            name: events
            origin: {type: files, path: %s, glob: "*.csv", format: csv, columns: {id: BIGINT, v: VARCHAR}}
            destination: {table: lab.events}
            mode: continuous
            commit: {max_rows: %d, max_interval: 200ms}
            """
                .formatted(source, ROWS_PER_FILE),
            "application/yaml");
        client.post("/api/v1/pipelines/events/start");
        awaitCount(client, (long) FILES / 2 * ROWS_PER_FILE);
        String holder = holder(client, "events");
        ServerProcess running = one.output().contains(holder) ? one : two;
        ServerProcess other = running == one ? two : one;
        assertThat(other.output()).doesNotContain(holder);
        Process list =
            ServerProcess.java(List.of("workers", "--server", coordinator.url))
                .redirectErrorStream(true)
                .start();
        String listed = new String(list.getInputStream().readAllBytes());
        assertThat(list.waitFor()).as(listed).isZero();
        assertThat(listed).contains(holder).containsPattern(holder + ".*worker.*events");

        running.kill();
        long killed = System.nanoTime();
        write(source, FILES / 2, FILES);
        long total = (long) FILES * ROWS_PER_FILE;
        awaitCount(client, total);
        long movedMillis = (System.nanoTime() - killed) / 1_000_000;
        assertThat(movedMillis).as("ms until the other worker loaded the rest").isLessThan(30_000);
        assertThat(holder(client, "events")).isNotEqualTo(holder);
        assertThat(
                CrashRecoveryIT.longs(
                    client, "SELECT count(*), count(DISTINCT id), sum(id) FROM lab.events"))
            .containsExactly(total, total, total * (total - 1) / 2);
        for (JsonNode worker : client.get("/api/v1/workers")) {
          boolean killedOne = worker.path("id").asText().equals(holder);
          assertThat(worker.path("alive").asBoolean()).isEqualTo(!killedOne);
          assertThat(worker.path("pipelines").size()).isEqualTo(killedOne ? 0 : 1);
        }
      }
    }
  }

  private static void write(Path source, int from, int to) throws Exception {
    for (int f = from; f < to; f++) {
      StringBuilder csv = new StringBuilder("id,v\n");
      for (int r = 0; r < ROWS_PER_FILE; r++) {
        csv.append((long) f * ROWS_PER_FILE + r).append(",x\n");
      }
      Path part = source.resolve("events-" + f + ".tmp");
      Files.writeString(part, csv);
      // renamed into place, so the pipeline never sees half a file
      Files.move(part, source.resolve(String.format("events-%03d.csv", f)));
    }
  }

  private static void awaitCount(RestClient client, long rows) throws InterruptedException {
    long deadline = System.nanoTime() + 120_000_000_000L;
    long count = -1;
    while (System.nanoTime() < deadline) {
      try {
        count = CrashRecoveryIT.longs(client, "SELECT count(*) FROM lab.events").get(0);
        if (count >= rows) {
          return;
        }
      } catch (RestClient.ServerError e) {
        // the table does not exist before the first commit
      }
      Thread.sleep(200);
    }
    throw new AssertionError("the table holds " + count + " rows, not " + rows);
  }

  /** The id of the worker that holds a pipeline's lease, as {@code /api/v1/workers} says. */
  private static String holder(RestClient client, String pipeline) throws InterruptedException {
    JsonNode workers = null;
    for (int attempt = 0; attempt < 100; attempt++) {
      Map<String, String> holders = new HashMap<>();
      workers = client.get("/api/v1/workers");
      for (JsonNode worker : workers) {
        for (JsonNode name : worker.path("pipelines")) {
          holders.put(name.asText(), worker.path("id").asText());
        }
      }
      if (holders.containsKey(pipeline)) {
        return holders.get(pipeline);
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no worker holds " + pipeline + ": " + workers);
  }
}
