package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drives the packaged CLI as a user does: {@code dataflow up} runs as its own process from the
 * built jar and its libraries, and {@code dataflow sql} talks to it over REST.
 */
class CliIT {
  @TempDir static Path data;
  private static ServerProcess server;
  private static String url;

  @BeforeAll
  static void startServer() throws Exception {
    server =
        ServerProcess.start(
            data,
            "--demo-scale",
            "0.01",
            "--examples",
            Path.of("..", "examples").toAbsolutePath().normalize().toString());
    url = server.url;
  }

  @AfterAll
  static void stopServer() throws InterruptedException {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void upPrintsItsAddresses() {
    assertThat(server.output()).contains(url).contains("jdbc:arrow-flight-sql://127.0.0.1:");
  }

  @Test
  void sqlPrintsATable() {
    Result result = sql("SELECT r_regionkey, r_name FROM tpch.region ORDER BY r_regionkey");
    assertThat(result.code).isZero();
    assertThat(result.out)
        .contains("| r_regionkey | r_name")
        .contains("AFRICA")
        .contains("MIDDLE EAST")
        .contains("5 rows");
  }

  @Test
  void sqlPrintsCsvAndJson() {
    Result csv =
        sql(
            "--format",
            "csv",
            "SELECT n_name, n_regionkey FROM tpch.nation WHERE n_nationkey < 2 ORDER BY 1");
    assertThat(csv.out.lines().toList())
        .containsExactly("n_name,n_regionkey", "ALGERIA,0", "ARGENTINA,1");
    Result json = sql("--format", "json", "SELECT 1 AS one, 'a,b' AS text");
    assertThat(json.out).contains("\"one\" : 1").contains("\"text\" : \"a,b\"");
    Result exact = sql("SELECT CAST(910074740.2508 AS DECIMAL(18,4)) AS revenue");
    assertThat(exact.out).contains("910074740.2508");
  }

  @Test
  void sqlRunsStatementsAndViewsOfTheDemo() {
    assertThat(sql("CREATE TABLE lab.t AS SELECT * FROM tpch.nation").code).isZero();
    assertThat(sql("SELECT count(*) AS n FROM lab.t").out).contains("25");
    assertThat(sql("SELECT count(*) AS n FROM demo.top_nations").out).contains("5");
    assertThat(sql("DROP TABLE lab.t").code).isZero();
  }

  @Test
  void theDemoRanTheExamplePipeline() {
    assertThat(sql("SELECT count(*) AS n, count(DISTINCT nation) AS nations FROM shop.orders").out)
        .contains("| 180 ")
        .contains("|      25 |");
    assertThat(
            sql("SELECT stage, count(*) AS n FROM shop.orders_errors GROUP BY stage ORDER BY stage")
                .out)
        .contains("cast")
        .contains("constraint");
    assertThat(sql("SELECT customer FROM shop.orders LIMIT 1").out).contains("***@example.com");
  }

  @Test
  void sqlReportsErrorsWithPosition() {
    Result syntax = sql("SELECT *\nFROM tpch.nation WHERE");
    assertThat(syntax.code).isEqualTo(1);
    assertThat(syntax.err).contains("line 2");
    Result missing = sql("SELECT * FROM tpch.nope");
    assertThat(missing.err).contains("tpch.nope");
    Result refused = sql("SELECT * FROM read_csv('/etc/passwd')");
    assertThat(refused.err).contains("not allowed");
    assertThat(sql("SELECT 42 AS answer").out).contains("42");
  }

  @Test
  void interactivePromptTakesMultiLineStatements() throws Exception {
    Process prompt =
        ServerProcess.java(List.of("sql", "--server", url)).redirectErrorStream(true).start();
    prompt
        .getOutputStream()
        .write(
            "SELECT 6 * 7\n  AS answer;\nSELECT 'second' AS s;\n\\q\n"
                .getBytes(StandardCharsets.UTF_8));
    prompt.getOutputStream().close();
    assertThat(prompt.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String output = new String(prompt.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(output).contains("42").contains("second");
  }

  /** The demo trains and serves late_shipment; the model commands reach it through REST. */
  @Test
  void modelCommandsManageTheDemoModel() throws Exception {
    Result list = model("list");
    assertThat(list.code).as(list.err).isZero();
    assertThat(list.out).contains("late_shipment").contains("champion");
    Result show = model("show", "late_shipment@champion");
    assertThat(show.out).contains("\"auc\"").contains("tpch.lineitem");

    Result trained =
        model(
            "train",
            "late_v2",
            "--sql",
            "SELECT l_quantity, l_discount, l_tax, l_shipdate - l_commitdate AS slack,"
                + " CASE WHEN l_receiptdate > l_commitdate THEN 1 ELSE 0 END AS late"
                + " FROM tpch.lineitem",
            "--target",
            "late",
            "--param",
            "num_round=10");
    assertThat(trained.code).as(trained.err).isZero();
    assertThat(trained.out).contains("\"version\" : 1");
    assertThat(model("alias", "late_v2", "challenger", "1").code).isZero();
    Result deployed = model("deploy", "late_v2", "--target", "challenger");
    assertThat(deployed.code).as(deployed.err).isZero();
    Result scored =
        model(
            "score",
            "late_v2@challenger",
            "--sql",
            "SELECT l_quantity, l_discount, l_tax, l_shipdate - l_commitdate AS slack"
                + " FROM tpch.lineitem",
            "--output",
            "demo.late_scored");
    assertThat(scored.code).as(scored.err).isZero();
    assertThat(sql("SELECT count(*) FROM demo.late_scored WHERE prediction BETWEEN 0 AND 1").out)
        .contains(sql("SELECT count(*) FROM tpch.lineitem").out.lines().skip(2).findFirst().get());
    String file =
        new com.fasterxml.jackson.databind.ObjectMapper()
            .readTree(model("show", "late_v2:1").out)
            .path("file")
            .asText();
    Result imported = model("import", "late_copy", file, "--format", "xgboost");
    assertThat(imported.code).as(imported.err).isZero();
    assertThat(imported.out).contains("\"name\" : \"slack\"");
    Result corrupt =
        model("import", "late_copy", "pom.xml", "--format", "onnx", "--features", "a,b");
    assertThat(corrupt.code).isEqualTo(1);
    assertThat(corrupt.err).contains("Not a readable ONNX model");
    Result bad = model("score", "late_v2:9", "--dataset", "tpch.lineitem", "--output", "demo.x");
    assertThat(bad.code).isEqualTo(1);
    assertThat(bad.err).contains("Model late_v2 has no version 9");

    java.net.http.HttpResponse<String> infer =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(url + "/v2/models/late_shipment/infer"))
                    .POST(
                        java.net.http.HttpRequest.BodyPublishers.ofString(
                            "{\"instances\": [{\"quantity\": 10, \"discount\": 0.05,"
                                + " \"ship_days\": 100, \"commit_days\": 40}]}"))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(infer.statusCode()).as(infer.body()).isEqualTo(200);
    assertThat(infer.body()).contains("predictions");
  }

  private record Result(int code, String out, String err) {}

  private static Result sql(String... args) {
    return run(List.of("sql", "--server", url), args);
  }

  /** {@code dataflow model SUBCOMMAND --server URL ARGS…}. */
  private static Result model(String subcommand, String... args) {
    return run(List.of("model", subcommand, "--server", url), args);
  }

  private static Result run(List<String> command, String... args) {
    List<String> all = new ArrayList<>(command);
    all.addAll(List.of(args));
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(all.toArray(String[]::new));
      return new Result(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
  }
}
