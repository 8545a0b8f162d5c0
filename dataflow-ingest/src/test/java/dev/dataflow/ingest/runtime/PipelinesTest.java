package dev.dataflow.ingest.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline runtime over real files, a real lake and real commits. */
class PipelinesTest {
  @TempDir Path dir;
  private TestPlatform platform;
  private Path source;
  private Lake lake;
  private SqlService sql;
  private Pipelines pipelines;

  @BeforeEach
  void start() throws Exception {
    source = Files.createDirectories(dir.resolve("in"));
    platform = new TestPlatform(dir.resolve("data"));
    lake = platform.lake;
    sql = platform.sql;
    pipelines = platform.pipelines;
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  private static String yaml(String mode, String extra) {
    return """
        name: orders
        origin:
          type: files
          path: %s
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
          table: raw.orders
          mode: %s
          key: [id]
        %s
        """
        .formatted("{source}", mode, extra);
  }

  private void apply(String mode, String extra) {
    pipelines.apply(
        yaml(mode, extra).replace("{source}", source.toString()), dir.resolve("orders.yaml"));
  }

  private List<String> rows(String query) {
    return platform.rows(query);
  }

  @Test
  void loadsNewFilesExactlyOnceAndSendsBadRowsToTheErrorTable() throws Exception {
    Files.writeString(
        source.resolve("a.csv"),
        "id,email,amount\n1,A@x.com,10.50\n2,,3\n3,c@x.com,-1\n4,d@x.com,abc\n");
    apply("append", "");
    RunRecord first = pipelines.runOnce("orders");
    assertThat(first.status()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT id, email, amount FROM raw.orders")).containsExactly("1|a@x.com|10.50");
    // rows are file lines; the stage dropped __df_row, so constraint errors carry the row as JSON
    // only
    assertThat(rows("SELECT row, stage FROM raw.orders_errors ORDER BY stage, reason"))
        .containsExactly("5|cast", "null|constraint", "null|constraint");
    assertThat(rows("SELECT reason FROM raw.orders_errors WHERE stage = 'cast'").get(0))
        .contains("amount")
        .contains("abc");
    assertThat(
            rows(
                "SELECT reason, raw FROM raw.orders_errors WHERE stage = 'constraint' ORDER BY reason"))
        .containsExactly(
            "check positive failed: amount >= 0|{\"id\":3,\"email\":\"c@x.com\",\"amount\":-1.0}",
            "not_null: email is null|{\"id\":2,\"email\":null,\"amount\":3.0}");

    assertThat(pipelines.runOnce("orders").files()).as("nothing new").isZero();
    Files.writeString(source.resolve("b.csv"), "id,email,amount\n5,e@x.com,1\n");
    RunRecord third = pipelines.runOnce("orders");
    assertThat(third.files()).isEqualTo(1);
    assertThat(rows("SELECT count(*) FROM raw.orders")).containsExactly("2");
    assertThat(rows("SELECT count(*) FROM raw.orders_errors")).containsExactly("3");
    assertThat(pipelines.runs("orders", 10)).hasSize(3);
  }

  @Test
  void constraintErrorsCarryTheirLineWhenNoStageDropsIt() throws Exception {
    Files.writeString(
        source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n2,,2\n3,c@x.com,-3\n");
    pipelines.apply(
        """
        name: checked
        origin:
          type: files
          path: %s
          glob: "*.csv"
          format: csv
          columns: {id: BIGINT, email: VARCHAR, amount: "DECIMAL(10,2)"}
        constraints:
          not_null: [email]
          checks:
            - {name: positive, sql: "amount >= 0"}
        destination: {table: raw.checked}
        """
            .formatted(source),
        dir.resolve("checked.yaml"));
    assertThat(pipelines.runOnce("checked").status()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT row, reason FROM raw.checked_errors ORDER BY row"))
        .containsExactly("3|not_null: email is null", "4|check positive failed: amount >= 0");
  }

  /**
   * No stage, constraint or publisher: a batch's files are scanned by the write itself, and what
   * the scan rejects reaches the error table before the rows are committed.
   */
  @Test
  void aLoadThatReadsItsInputOnceScansItsFilesInTheWrite() throws Exception {
    Files.writeString(
        source.resolve("a.csv"),
        "id,email,amount\n1,a@x.com,1.50\n2,b@x.com,abc\n3,c@x.com\n4,d@x.com,4\n");
    Files.writeString(source.resolve("b.csv"), "");
    Files.writeString(source.resolve("c.csv"), "id,email,amount\n");
    Files.writeString(source.resolve("d.csv"), "id,email,amount\n5,e@x.com,5\n6,\"f@x.com,6\n");
    pipelines.apply(bulk("orders_bulk", "", 1), dir.resolve("orders_bulk.yaml"));
    RunRecord run = pipelines.runOnce("orders_bulk");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT id, email, amount FROM raw.orders_bulk ORDER BY id"))
        .containsExactly("1|a@x.com|1.50", "4|d@x.com|4.00", "5|e@x.com|5.00");
    assertThat(
            rows(
                "SELECT regexp_extract(file, '[a-z]+[.]csv$'), row, stage FROM "
                    + "raw.orders_bulk_errors ORDER BY file, row"))
        .containsExactly("a.csv|3|cast", "a.csv|4|parse", "d.csv|3|parse");
    assertThat(rows("SELECT reason FROM raw.orders_bulk_errors WHERE stage = 'cast'"))
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .contains("amount")
        .contains("abc");
    assertThat(run.rowsIn()).isEqualTo(6);
    assertThat(run.rowsOut()).isEqualTo(3);
    assertThat(run.rowsError()).isEqualTo(3);
    assertThat(run.files()).isEqualTo(4);
    // a batch of one row asked for: a batch ends after the first file estimated to hold a record;
    // the empty file joins the header-only one's batch: 3 batches, 3 commits
    assertThat(lake.tableOrNull(dev.dataflow.api.DatasetPath.of("raw", "orders_bulk")).snapshots())
        .hasSize(3);
    assertThat(pipelines.runOnce("orders_bulk").files()).as("nothing new").isZero();
  }

  @Test
  void aLoadThatReadsItsInputOnceTakesInvalidUtf8AndATenMegabyteField() throws Exception {
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    file.writeBytes("id,email,amount\n7,".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    file.writeBytes(new byte[] {'b', (byte) 0xff, (byte) 0xfe, 'd'});
    file.writeBytes(",1\n8,".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    file.writeBytes("x".repeat(10 << 20).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    file.writeBytes(",2\n9,ok@x.com,3\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Files.write(source.resolve("e.csv"), file.toByteArray());
    pipelines.apply(bulk("odd", "", 1000), dir.resolve("odd.yaml"));
    RunRecord run = pipelines.runOnce("odd");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT id, length(email) FROM raw.odd ORDER BY id"))
        .containsExactly("8|" + (10 << 20), "9|8");
    assertThat(rows("SELECT row, stage FROM raw.odd_errors")).containsExactly("2|parse");
    assertThat(rows("SELECT reason FROM raw.odd_errors").get(0)).containsIgnoringCase("unicode");
  }

  @Test
  void aLoadThatReadsItsInputOnceCommitsNothingOfABatchOverItsErrorRatio() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n2,b@x.com,x\n");
    pipelines.apply(
        bulk("ratio", "errors: {policy: max_ratio, max_ratio: 0.2}", 1000),
        dir.resolve("ratio.yaml"));
    RunRecord run = pipelines.runOnce("ratio");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("1 of 2 rows").contains("amount");
    assertThat(lake.tableOrNull(dev.dataflow.api.DatasetPath.of("raw", "ratio")))
        .as("as with a batch read before its write, the failed run leaves no table")
        .isNull();
    try (var files = Files.walk(dir.resolve("data"))) {
      assertThat(files.filter(file -> file.toString().endsWith(".parquet")))
          .as("the written files are deleted")
          .isEmpty();
    }
  }

  private String bulk(String name, String extra, int maxRows) {
    return """
        name: %s
        origin:
          type: files
          path: %s
          glob: "*.csv"
          format: csv
          columns: {id: BIGINT, email: VARCHAR, amount: "DECIMAL(10,2)"}
        destination: {table: raw.%s}
        commit: {max_rows: %d}
        %s
        """
        .formatted(name, source, name, maxRows, extra);
  }

  @Test
  void aDestinationChoosesItsParquetCodec() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n");
    apply("append", "");
    pipelines.runOnce("orders");
    assertThat(codecs()).as("Iceberg's default").containsExactly("ZSTD");

    pipelines.apply(
        yaml("append", "")
            .replace("{source}", source.toString())
            .replace("  key: [id]", "  key: [id]\n  compression: snappy"),
        dir.resolve("orders.yaml"));
    Files.writeString(source.resolve("b.csv"), "id,email,amount\n2,b@x.com,2\n");
    RunRecord run = pipelines.runOnce("orders");
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(codecs()).as("the old file keeps its codec").containsExactly("SNAPPY", "ZSTD");
  }

  /** The codecs of the data files of raw.orders. */
  private List<String> codecs() throws Exception {
    var table = lake.tableOrNull(dev.dataflow.api.DatasetPath.parse("raw.orders"));
    table.refresh();
    List<String> codecs = new java.util.ArrayList<>();
    try (var tasks = table.newScan().planFiles();
        var duckdb = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        var statement = duckdb.createStatement()) {
      for (var task : tasks) {
        try (var result =
            statement.executeQuery(
                "SELECT DISTINCT compression FROM parquet_metadata('"
                    + task.file().location()
                    + "')")) {
          while (result.next()) {
            codecs.add(result.getString(1));
          }
        }
      }
    }
    return codecs.stream().sorted().toList();
  }

  @Test
  void mergesByKeyAndEvolvesTheSchema() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n2,b@x.com,2\n");
    apply("merge", "");
    pipelines.runOnce("orders");
    Files.writeString(source.resolve("b.csv"), "id,email,amount\n2,b2@x.com,20\n3,c@x.com,3\n");
    pipelines.runOnce("orders");
    assertThat(rows("SELECT id, email, amount FROM raw.orders ORDER BY id"))
        .containsExactly("1|a@x.com|1.00", "2|b2@x.com|20.00", "3|c@x.com|3.00");

    String evolved =
        yaml("merge", "")
            .replace("{source}", source.toString())
            .replace("amount FROM input", "amount, upper(email) AS shout FROM input");
    pipelines.apply(evolved, dir.resolve("orders.yaml"));
    Files.writeString(source.resolve("c.csv"), "id,email,amount\n4,d@x.com,4\n");
    pipelines.runOnce("orders");
    assertThat(rows("SELECT id, shout FROM raw.orders ORDER BY id"))
        .containsExactly("1|null", "2|null", "3|null", "4|D@X.COM");
  }

  @Test
  void theStopPolicyCommitsNothingOfABadBatch() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n2,,2\n");
    apply("append", "errors: {policy: stop}");
    RunRecord run = pipelines.runOnce("orders");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("1 of 2 rows").contains("not_null");
    assertThat(lake.tableOrNull(dev.dataflow.api.DatasetPath.of("raw", "orders"))).isNull();
    assertThat(pipelines.status("orders").state()).isEqualTo(PipelineState.FAILED);
  }

  @Test
  void stagesLookUpLakeTablesMaskDataAndRouteRows() throws Exception {
    try (Execution e =
        sql.execute(
            "test",
            "CREATE TABLE ref.tiers AS SELECT * FROM (VALUES (1, 'gold'), (2, 'silver')) t(id, tier)")) {
      e.next();
    }
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,ann@x.com,500\n2,bob@x.com,5\n");
    String routed =
        yaml("append", "")
            .replace("{source}", source.toString())
            .replace(
                "SELECT id, lower(email) AS email, amount FROM input",
                "SELECT i.id, mask_email(i.email) AS email, hash_value(i.email) AS who, i.amount, t.tier"
                    + " FROM input i LEFT JOIN ref.tiers t ON t.id = i.id")
            .replace(
                "destination:\n  table: raw.orders\n  mode: append\n  key: [id]",
                "destinations:\n  - {when: \"amount >= 100\", table: raw.big}\n  - {when: \"amount < 100\", table: raw.small}");
    pipelines.apply(routed, dir.resolve("orders.yaml"));
    assertThat(pipelines.runOnce("orders").status()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT id, email, tier FROM raw.big")).containsExactly("1|a***@x.com|gold");
    assertThat(rows("SELECT id, email, tier FROM raw.small"))
        .containsExactly("2|b***@x.com|silver");
    assertThat(rows("SELECT length(who) FROM raw.big")).containsExactly("64");
  }

  @Test
  void previewsEveryStageWithoutCommitting() throws Exception {
    Files.writeString(
        source.resolve("a.csv"), "id,email,amount\n1,A@x.com,1\n2,B@x.com,-2\n3,C@x.com,3\n");
    apply("append", "");
    Preview preview = pipelines.preview("orders", 2);
    assertThat(preview.stages()).containsKeys("input", "clean");
    assertThat(preview.stages().get("clean").rows()).hasSize(2);
    assertThat(preview.stages().get("clean").rows().get(0)).contains("a@x.com");
    assertThat(preview.errors().rows()).hasSize(1);
    assertThat(lake.tableOrNull(dev.dataflow.api.DatasetPath.of("raw", "orders"))).isNull();
  }

  @Test
  void startsInTheBackgroundAndFinishes() throws Exception {
    Files.writeString(source.resolve("a.csv"), "id,email,amount\n1,a@x.com,1\n");
    apply("append", "");
    pipelines.start("orders");
    long deadline = System.currentTimeMillis() + 60_000;
    while (pipelines.status("orders").state() == PipelineState.RUNNING
        && System.currentTimeMillis() < deadline) {
      Thread.sleep(50);
    }
    assertThat(pipelines.status("orders").state()).isEqualTo(PipelineState.FINISHED);
    assertThat(pipelines.status("orders").lastRun().rowsOut()).isEqualTo(1);
    assertThatThrownBy(() -> pipelines.stop("orders")).isInstanceOf(DataflowException.class);
  }
}
