package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly once across a crash: a continuous pipeline is loading files when the server is killed
 * with SIGKILL; after a restart it resumes by itself, and the table ends up with every row once.
 */
class CrashRecoveryIT {
  private static final int FILES = 80;
  private static final int ROWS_PER_FILE = 2_000;
  private static final long TOTAL = (long) FILES * ROWS_PER_FILE;

  @TempDir Path dir;

  @Test
  void aKilledServerResumesWithoutDuplicatesOrGaps() throws Exception {
    Path source = Files.createDirectories(dir.resolve("events"));
    for (int f = 0; f < FILES; f++) {
      StringBuilder csv = new StringBuilder("id,payload\n");
      for (int r = 0; r < ROWS_PER_FILE; r++) {
        csv.append(f * ROWS_PER_FILE + r).append(",p").append(r).append('\n');
      }
      Files.writeString(source.resolve(String.format("events-%03d.csv", f)), csv);
    }
    Path data = dir.resolve("data");
    String yaml =
        """
        name: events
        origin: {type: files, path: %s, glob: "*.csv", format: csv, columns: {id: BIGINT, payload: VARCHAR}}
        destination: {table: crash.events}
        mode: continuous
        commit: {max_rows: %d, max_interval: 100ms}
        """
            .formatted(source, ROWS_PER_FILE);

    ServerProcess first = ServerProcess.start(data, "--no-demo");
    RestClient client = new RestClient(first.url, "admin", null);
    client.put(
        "/api/v1/pipelines/events?base=" + RestClient.encode(dir.toString()),
        yaml,
        "application/yaml");
    client.post("/api/v1/pipelines/events/start");
    long seen = awaitCount(client, count -> count > 0);
    first.kill();
    assertThat(seen).as("killed mid-load").isLessThan(TOTAL);

    try (ServerProcess second = ServerProcess.start(data, "--no-demo")) {
      RestClient again = new RestClient(second.url, "admin", null);
      assertThat(awaitCount(again, count -> count >= TOTAL)).isEqualTo(TOTAL);
      List<Long> check =
          longs(again, "SELECT count(DISTINCT id), sum(id), count(*) FROM crash.events");
      assertThat(check).containsExactly(TOTAL, TOTAL * (TOTAL - 1) / 2, TOTAL);
      JsonNode status = again.get("/api/v1/pipelines/events").path("status");
      assertThat(status.path("state").asText()).isEqualTo("RUNNING");
    }
  }

  /** Polls the table's row count until {@code done} holds (a minute at most); returns the count. */
  private static long awaitCount(RestClient client, java.util.function.LongPredicate done)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    long count = 0;
    while (System.currentTimeMillis() < deadline) {
      try {
        count = longs(client, "SELECT count(*) FROM crash.events").get(0);
      } catch (RestClient.ServerError e) {
        count = 0; // the table is created by the first commit
      }
      if (done.test(count)) {
        return count;
      }
      Thread.sleep(20);
    }
    return count;
  }

  static List<Long> longs(RestClient client, String sql) throws InterruptedException {
    return java.util.stream.StreamSupport.stream(firstRow(client, sql).spliterator(), false)
        .map(JsonNode::asLong)
        .toList();
  }

  /** The first row of a query run as a job over REST. */
  static JsonNode firstRow(RestClient client, String sql) throws InterruptedException {
    String id = client.post("/api/v1/sql", Map.of("sql", sql)).path("id").asText();
    JsonNode job;
    do {
      Thread.sleep(5);
      job = client.get("/api/v1/jobs/" + id);
    } while ("RUNNING".equals(job.path("status").asText()));
    if (!"COMPLETED".equals(job.path("status").asText())) {
      throw new RestClient.ServerError(500, job, job.path("errorMessage").asText());
    }
    return client.get("/api/v1/jobs/" + id + "/results").path("rows").get(0);
  }
}
