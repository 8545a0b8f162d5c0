package dev.dataflow.spark;

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
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark 4.1 local and Dataflow on one S3 warehouse (S3Proxy): Spark holds no keys of its own and
 * reads and writes the store with the ones Dataflow's REST catalog vends for each table; what one
 * writes the other reads, and every data file is in the bucket.
 */
class SparkS3WarehouseIT extends SparkWarehouseContract {
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

  @Override
  SparkSession spark() {
    return spark;
  }

  @Override
  DataflowRest rest() {
    return rest;
  }

  @Override
  void written(String dataset, long rows) throws Exception {
    assertDataFilesInTheBucket("dataflow." + dataset);
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
