package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.lake.S3ProxyServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code dataflow up} processes, each with its own data directory, on one PostgreSQL metadata
 * store and one S3 warehouse (S3Proxy): what one writes the other reads, and a wrong key is refused
 * at start with the bucket named.
 */
class SharedWarehouseIT {
  private static final String WAREHOUSE = SharedServices.WAREHOUSE;

  @TempDir Path dir;

  @Test
  void twoProcessesShareTheMetadataStoreAndTheWarehouse() throws Exception {
    try (SharedServices services = new SharedServices(dir)) {
      Map<String, String> environment = services.credentials();
      String catalog = services.catalogUrl();
      String[] options = {"--no-demo", "--catalog", catalog, "--warehouse", WAREHOUSE};
      try (ServerProcess first = ServerProcess.start(dir.resolve("a"), environment, options);
          ServerProcess second = ServerProcess.start(dir.resolve("b"), environment, options)) {
        RestClient one = new RestClient(first.url, "admin", null);
        RestClient two = new RestClient(second.url, "admin", null);
        CrashRecoveryIT.longs(one, "CREATE TABLE lab.t AS SELECT range AS k FROM range(1000)");
        assertThat(CrashRecoveryIT.longs(two, "SELECT count(*), sum(k) FROM lab.t"))
            .containsExactly(1000L, 499500L);
        CrashRecoveryIT.longs(two, "INSERT INTO lab.t SELECT 5000");
        assertThat(CrashRecoveryIT.longs(one, "SELECT count(*), max(k) FROM lab.t"))
            .containsExactly(1001L, 5000L);
        assertThat(first.output()).contains("Warehouse:            " + WAREHOUSE);
        assertThat(first.output()).doesNotContain(S3ProxyServer.SECRET_KEY);
      }
      assertThat(dir.resolve("a/warehouse")).doesNotExist();
      assertThat(dir.resolve("b/warehouse")).doesNotExist();
    }
  }

  @Test
  void aWrongSecretKeyStopsTheStartNamingTheBucket() throws Exception {
    try (S3ProxyServer store = new S3ProxyServer(Files.createDirectories(dir.resolve("store")))) {
      store.createBucket("lake");
      ProcessBuilder up =
          ServerProcess.java(List.of("up", "--data", dir.toString(), "--warehouse", WAREHOUSE))
              .redirectErrorStream(true);
      up.environment()
          .putAll(
              Map.of(
                  "AWS_ENDPOINT_URL",
                  store.endpoint().toString(),
                  "AWS_ACCESS_KEY_ID",
                  S3ProxyServer.ACCESS_KEY,
                  "AWS_SECRET_ACCESS_KEY",
                  "not-the-secret"));
      Process process = up.start();
      String output = new String(process.getInputStream().readAllBytes());
      assertThat(process.waitFor()).isNotZero();
      assertThat(output).contains("bucket lake").contains("403").doesNotContain("not-the-secret");
    }
  }
}
