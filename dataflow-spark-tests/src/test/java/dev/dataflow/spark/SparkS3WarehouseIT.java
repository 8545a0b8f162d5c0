package dev.dataflow.spark;

import static dev.dataflow.spark.SparkSql.numbers;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark 4.1 local and Dataflow on one S3 warehouse (S3Proxy): Spark holds no keys of its own and
 * reads and writes the store with the ones Dataflow's REST catalog vends for each table; what one
 * writes the other reads, and every data file is in the bucket.
 */
class SparkS3WarehouseIT {
  private static final String BUCKET = "lake";
  private static final String WAREHOUSE = "s3://" + BUCKET + "/warehouse";

  @TempDir static Path dir;
  private static S3StoreProcess store;
  private static DataflowProcess dataflow;
  private static DataflowRest rest;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    store = S3StoreProcess.start(dir.resolve("store"), BUCKET);
    Map<String, String> environment = new HashMap<>(S3StoreProcess.credentials());
    environment.put("AWS_ENDPOINT_URL", store.endpoint());
    dataflow =
        DataflowProcess.start(dir.resolve("dataflow"), environment, "--warehouse", WAREHOUSE);
    rest = new DataflowRest(dataflow.url());
    // the store's keys are this test's own: no AWS profile or variable of this JVM holds them
    spark =
        SparkSql.local(dir, dataflow.url() + "/iceberg")
            .config(
                "spark.sql.catalog.dataflow.header.X-Iceberg-Access-Delegation",
                "vended-credentials")
            .config("spark.sql.catalog.dataflow.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
            .getOrCreate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (dataflow != null) {
      dataflow.close();
    }
    if (store != null) {
      store.close();
    }
  }

  @Test
  void readsATableDataflowWroteWithTheSameCountAndChecksum() throws Exception {
    rest.run(
        "CREATE TABLE sales.orders AS SELECT range AS id, range % 7 AS k, 'order ' || range AS name"
            + " FROM range(5000)");
    String checksum = "SELECT count(*), sum(id), sum(id * k), sum(length(name)) FROM ";
    List<List<String>> dataflowSays = numbers(rest.rows(checksum + "sales.orders"));
    assertThat(dataflowSays.get(0).get(0)).isEqualTo("5000");
    assertThat(numbers(SparkSql.rows(spark, checksum + "dataflow.sales.orders")))
        .isEqualTo(dataflowSays);
    assertDataFilesInTheBucket("dataflow.sales.orders");
  }

  @Test
  void createsAndAppendsATableThatDataflowReads() throws Exception {
    spark.sql("CREATE NAMESPACE IF NOT EXISTS dataflow.lab");
    spark.sql("CREATE TABLE dataflow.lab.events (id BIGINT, kind STRING) USING iceberg");
    spark.sql("INSERT INTO dataflow.lab.events VALUES (1, 'click'), (2, 'view')");
    assertThat(numbers(rest.rows("SELECT count(*), sum(id) FROM lab.events")))
        .containsExactly(List.of("2", "3"));
    spark.sql("INSERT INTO dataflow.lab.events SELECT id + 10, 'scroll' FROM range(3)");
    String checksum = "SELECT count(*), sum(id), sum(length(kind)) FROM ";
    assertThat(numbers(rest.rows(checksum + "lab.events")))
        .containsExactly(List.of("5", "36", "27"))
        .isEqualTo(numbers(SparkSql.rows(spark, checksum + "dataflow.lab.events")));
    assertDataFilesInTheBucket("dataflow.lab.events");
  }

  /**
   * The table's data files are objects in the bucket, each as long as its manifest says; the
   * server's data directory holds none but its cache's copies.
   */
  private static void assertDataFilesInTheBucket(String table) throws Exception {
    List<DataFile> files = SparkSql.files(Spark3Util.loadIcebergTable(spark, table));
    assertThat(files).isNotEmpty();
    for (DataFile file : files) {
      assertThat(file.location()).startsWith(WAREHOUSE + "/");
      Path object = store.file(file.location());
      assertThat(object).isRegularFile();
      assertThat(Files.size(object)).isEqualTo(file.fileSizeInBytes());
    }
    Path data = dir.resolve("dataflow");
    try (Stream<Path> local = Files.walk(data)) {
      assertThat(
              local
                  .filter(path -> path.toString().endsWith(".parquet"))
                  .filter(path -> !path.startsWith(data.resolve("cache"))))
          .isEmpty();
    }
  }
}
