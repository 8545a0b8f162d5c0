package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives {@code dataflow pipeline} as a user does: a packaged server runs as its own process (no
 * demo lake), pipelines are YAML files next to CSV files, and every command goes through the REST
 * API.
 */
class PipelineCliIT {
  @TempDir static Path data;
  @TempDir static Path work;
  private static ServerProcess server;
  private static String url;

  @BeforeAll
  static void startServer() throws Exception {
    server = ServerProcess.start(data, "--no-demo");
    url = server.url;
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  /** A directory holding {@code in/*.csv} and a pipeline YAML reading them by relative path. */
  private static Path project(String name, String table) throws IOException {
    return project(name, table, "");
  }

  private static Path project(String name, String table, String extra) throws IOException {
    Path dir = Files.createDirectories(work.resolve(name));
    Path in = Files.createDirectories(dir.resolve("in"));
    Files.writeString(
        in.resolve("a.csv"),
        "id,email,amount\n1,A@x.com,10.50\n2,,3\n3,c@x.com,-1\n4,d@x.com,abc\n");
    Files.writeString(in.resolve("b.csv"), "id,email,amount\n5,e@x.com,1\n6,f@x.com,2\n");
    Files.writeString(
        dir.resolve(name + ".yaml"),
        """
        name: %s
        origin:
          type: files
          path: in
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
        %s
        """
            .formatted(name, table, extra));
    return dir;
  }

  @Test
  void appliesRunsAndInspectsAPipeline() throws IOException {
    Path dir = project("orders", "raw.orders");
    Result applied = pipeline("apply", dir.toString());
    assertThat(applied.code).as(applied.err).isZero();
    assertThat(applied.out).contains("Applied pipeline orders (CREATED)");

    Result preview = pipeline("preview", "orders", "--limit", "10");
    assertThat(preview.code).as(preview.err).isZero();
    assertThat(preview.out)
        .contains("Stage input:")
        .contains("Stage clean:")
        .contains("a@x.com")
        .contains("Errors:");

    Result run = pipeline("start", "orders", "--follow");
    assertThat(run.code).as(run.err).isZero();
    assertThat(run.out).contains("FINISHED").contains("out 3, error 3").contains("files");
    assertThat(run.err)
        .as("progress, one line per change off a terminal")
        .contains("orders: in 6, out 3, error 3");

    assertThat(pipeline("status").out).containsPattern("\\| orders +\\| FINISHED +\\| FINISHED");
    assertThat(pipeline("status", "orders").out)
        .containsPattern("state +FINISHED")
        .contains("out 3, error 3");
    assertThat(pipeline("runs", "orders").out).contains("FINISHED").contains("1 row");

    Result errors = pipeline("errors", "orders");
    assertThat(errors.out)
        .contains("not_null: email is null")
        .contains("check positive failed: amount >= 0")
        .contains("abc")
        .contains("3 rows");

    Result count = cli("sql", "--server", url, "SELECT count(*) AS n FROM raw.orders");
    assertThat(count.out).contains("| 3 |");

    Result stop = pipeline("stop", "orders");
    assertThat(stop.code).isEqualTo(1);
    assertThat(stop.err).contains("Pipeline orders is not running (its state is FINISHED)");
  }

  @Test
  void refusesAnInvalidPipelineListingEveryProblem() throws IOException {
    Path bad = Files.createDirectories(work.resolve("bad")).resolve("broken.yml");
    Files.writeString(
        bad,
        """
        name: broken
        origin:
          type: files
          path: in
          format: xml
        destinaton:
          table: raw.broken
        """);
    Result result = pipeline("apply", bad.toString());
    assertThat(result.code).isEqualTo(1);
    assertThat(result.err)
        .contains(bad.toString())
        .contains("line 5, column")
        .contains("origin.format")
        .contains("line 6, column")
        .contains("destinaton");
    assertThat(pipeline("status", "broken").err).contains("does not exist");
  }

  @Test
  void followsInJsonAndDeletes() throws Exception {
    Path dir = project("copy", "raw.copy");
    assertThat(pipeline("apply", dir.resolve("copy.yaml").toString()).code).isZero();
    Result run = pipeline("start", "copy", "--follow", "--format", "json");
    JsonNode status = new ObjectMapper().readTree(run.out);
    assertThat(status.path("state").asText()).isEqualTo("FINISHED");
    assertThat(status.path("lastRun").path("rowsOut").asLong()).isEqualTo(3);

    JsonNode runs = new ObjectMapper().readTree(pipeline("runs", "copy", "--format", "json").out);
    assertThat(runs).hasSize(1);

    Result deleted = pipeline("delete", "copy");
    assertThat(deleted.out).contains("Deleted pipeline copy");
    assertThat(pipeline("status", "copy").code).isEqualTo(1);
    assertThat(pipeline("delete", "copy").err).contains("does not exist");
  }

  @Test
  void followingARunThatFailsExitsWithOne() throws IOException {
    Path dir = project("strict", "raw.strict", "errors: {policy: stop}");
    assertThat(pipeline("apply", dir.toString()).code).isZero();
    Result run = pipeline("start", "strict", "--follow");
    assertThat(run.code).isEqualTo(1);
    assertThat(run.out)
        .containsPattern("state +FAILED")
        .contains("3 of 6 rows are in error (policy stop)");
  }

  private record Result(int code, String out, String err) {}

  private static Result pipeline(String... args) {
    List<String> all = new ArrayList<>(List.of("pipeline"));
    all.addAll(List.of(args));
    // the server option goes after the subcommand, where picocli reads it
    all.add(2, "--server=" + url);
    return cli(all.toArray(String[]::new));
  }

  private static Result cli(String... args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }
}
