package dev.dataflow.ingest.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.spec.PipelineSpecs;
import dev.dataflow.lake.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The files origin over S3 paths, against S3Proxy on a local directory. */
class S3FilesTest {
  @TempDir Path dir;
  private S3ProxyServer s3;
  private TestPlatform platform;
  private Pipelines pipelines;

  @BeforeEach
  void start() throws Exception {
    s3 = new S3ProxyServer(Files.createDirectories(dir.resolve("blobs")));
    s3.createBucket("landing");
    open();
  }

  private void open() {
    platform = new TestPlatform(dir.resolve("data"));
    pipelines = platform.pipelines;
  }

  private void close() {
    platform.close();
  }

  private List<String> rows(String query) {
    return platform.rows(query);
  }

  @AfterEach
  void stop() throws Exception {
    close();
    s3.close();
  }

  private String yaml(String secretKey) {
    return """
        name: orders
        origin:
          type: files
          path: s3://landing/orders
          glob: "**.csv"
          format: csv
          columns: {id: BIGINT, amount: "DECIMAL(10,2)"}
          s3:
            endpoint: %s
            access_key_id: %s
            secret_access_key: %s
        destination: {table: raw.orders}
        """
        .formatted(s3.endpoint(), S3ProxyServer.ACCESS_KEY, secretKey);
  }

  private void apply(String secretKey) {
    pipelines.apply(yaml(secretKey), dir.resolve("orders.yaml"));
  }

  @Test
  void loadsEachNewObjectOnceAcrossRestartsAndNamesErrorsByTheirObject() throws Exception {
    s3.put("landing", "orders/2026/a.csv", "id,amount\n1,10.50\n2,abc\n");
    s3.put("landing", "orders/b.csv", "id,amount\n3,3\n");
    s3.put("landing", "orders/notes.txt", "not a csv");
    s3.put("landing", "orders-old/c.csv", "id,amount\n99,1\n");
    apply(S3ProxyServer.SECRET_KEY);

    RunRecord first = pipelines.runOnce("orders");
    assertThat(first.status()).as(first.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(first.files()).isEqualTo(2);
    assertThat(rows("SELECT id FROM raw.orders ORDER BY id")).containsExactly("1", "3");
    assertThat(rows("SELECT file, row, stage FROM raw.orders_errors"))
        .containsExactly("s3://landing/orders/2026/a.csv|3|cast");
    assertThat(spoolFiles()).isEmpty();

    // a restart (new platform on the same data) picks up the new object only
    close();
    s3.put("landing", "orders/2026/d.csv", "id,amount\n4,4\n");
    open();
    RunRecord second = pipelines.runOnce("orders");
    assertThat(second.files()).isEqualTo(1);
    assertThat(rows("SELECT id FROM raw.orders ORDER BY id")).containsExactly("1", "3", "4");
    assertThat(pipelines.runOnce("orders").rowsIn()).isZero();
    assertThat(spoolFiles()).isEmpty();
  }

  @Test
  void previewsObjectsWithoutCommitting() {
    s3.put("landing", "orders/a.csv", "id,amount\n1,1\n2,2\n3,3\n");
    apply(S3ProxyServer.SECRET_KEY);
    Preview preview = pipelines.preview("orders", 2);
    assertThat(preview.stages().get("input").rows()).hasSize(2);
    assertThat(platform.lake.tableOrNull(dev.dataflow.api.DatasetPath.parse("raw.orders")))
        .isNull();
  }

  @Test
  void anObjectDeletedDuringARunIsAnErrorRecordNotAFailedRun() {
    s3.put("landing", "orders/a.csv", "id,amount\n1,1\n");
    s3.put("landing", "orders/b.csv", "id,amount\n2,2\n");
    apply(S3ProxyServer.SECRET_KEY);
    // the reader lists the objects when the run starts; one is deleted before it is read
    FilesReader reader =
        new FilesReader(
            platform.lake, pipelines.spec("orders"), dir.resolve("data").resolve("spool"));
    s3.delete("landing", "orders/a.csv");
    RunRecord run =
        new IngestRun(platform.sql, pipelines.spec("orders"), reader)
            .run(
                new RunRecord(
                    "r1", "orders", 0, null, PipelineState.RUNNING, 0, 0, 0, 0, 0, null, null),
                () -> false,
                (batch, bytes) -> {});
    assertThat(run.rowsOut()).isEqualTo(1);
    assertThat(rows("SELECT id FROM raw.orders")).containsExactly("2");
    assertThat(rows("SELECT file, stage, reason FROM raw.orders_errors").get(0))
        .startsWith("a.csv|read|source object s3://landing/orders/a.csv does not exist");
  }

  @Test
  void wrongCredentialsFailTheRunWithoutShowingTheSecret() {
    s3.put("landing", "orders/a.csv", "id,amount\n1,1\n");
    apply("wrong-secret");
    RunRecord run = pipelines.runOnce("orders");
    assertThat(run.status()).isEqualTo(PipelineState.FAILED);
    assertThat(run.error()).contains("s3://landing/orders/").doesNotContain("wrong-secret");
    assertThat(pipelines.definition("orders"))
        .doesNotContain("wrong-secret")
        .contains("access_key_id: \"******\"");
  }

  @Test
  void aMissingEnvironmentVariableIsNamed() {
    pipelines.apply(yaml("${env:DATAFLOW_TEST_UNSET_S3_SECRET}"), dir.resolve("orders.yaml"));
    assertThatThrownBy(() -> pipelines.preview("orders", 1))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("origin.s3.secret_access_key")
        .hasMessageContaining("DATAFLOW_TEST_UNSET_S3_SECRET");
    assertThat(PipelineSpecs.redacted(yaml("${env:X}"))).contains("${env:X}");
  }

  private List<Path> spoolFiles() throws Exception {
    Path spool = dir.resolve("data").resolve("spool");
    if (!Files.exists(spool)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(spool)) {
      return files.filter(f -> !f.equals(spool)).toList();
    }
  }
}
