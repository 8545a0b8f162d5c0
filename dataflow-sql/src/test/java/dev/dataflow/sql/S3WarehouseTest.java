package dev.dataflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.DataFileCache;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.S3ProxyServer;
import dev.dataflow.lake.s3.S3Location;
import dev.dataflow.lake.s3.S3Settings;
import dev.dataflow.lake.s3.S3Storage;
import dev.dataflow.lake.s3.S3Warehouse;
import dev.dataflow.sql.write.TableWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A warehouse in an S3 store (S3Proxy here): every write goes to the store through S3FileIO, every
 * read through the local cache of data files, and nothing of the tables lands on local disk
 * otherwise.
 */
class S3WarehouseTest {
  private static final String WAREHOUSE = "s3://lake/warehouse";

  @TempDir Path dir;
  private S3ProxyServer store;
  private Lake lake;
  private SqlService sql;

  @BeforeEach
  void start() throws Exception {
    store = new S3ProxyServer(Files.createDirectories(dir.resolve("store")));
    store.createBucket("lake");
    open(dir.resolve("node-1"), LakeConfig.DEFAULT_CACHE_BYTES);
  }

  private S3Settings settings(String secret) {
    return new S3Settings(store.endpoint(), "us-east-1", S3ProxyServer.ACCESS_KEY, secret);
  }

  /** Opens the lake as a node with its own data directory (and so its own cache) would. */
  private void open(Path data, long cacheBytes) {
    LakeConfig config =
        LakeConfig.embedded(dir.resolve("shared"))
            .withS3Warehouse(WAREHOUSE, settings(S3ProxyServer.SECRET_KEY), cacheBytes);
    lake =
        Lake.open(
            new LakeConfig(
                config.catalogUrl(),
                null,
                null,
                data,
                config.warehouse(),
                config.s3(),
                cacheBytes));
    sql = new SqlService(lake, EngineConfig.defaults(data));
  }

  private void reopen(Path data, long cacheBytes) {
    sql.close();
    lake.close();
    open(data, cacheBytes);
  }

  @AfterEach
  void stop() throws Exception {
    if (sql != null) {
      sql.close();
      lake.close();
    }
    store.close();
  }

  private List<List<String>> rows(String statement) {
    return Statements.rows(sql, statement);
  }

  private long update(String statement) {
    return Statements.update(sql, statement);
  }

  private List<String> objects(String prefix) {
    try (S3Storage storage = S3Storage.open(settings(S3ProxyServer.SECRET_KEY))) {
      return storage.list(S3Location.parse(URI.create(WAREHOUSE + "/" + prefix))).stream()
          .map(S3Storage.Entry::relativeKey)
          .toList();
    }
  }

  private DataFileCache cache() {
    return ((S3Warehouse) lake.warehouse()).cache();
  }

  @Test
  void tablesAreWrittenToTheStoreAndReadThroughTheCache() {
    update(
        "CREATE TABLE s.t PARTITIONED BY (bucket(4, id)) AS"
            + " SELECT range AS id, 'n' || range AS name FROM range(1000)");
    assertThat(update("INSERT INTO s.t SELECT 5000, 'late'")).isEqualTo(1);
    assertThat(rows("SELECT count(*), sum(id) FROM s.t"))
        .containsExactly(List.of("1001", String.valueOf(499500 + 5000)));
    assertThat(objects("s/t/data/")).anyMatch(key -> key.endsWith(".parquet"));
    assertThat(objects("s/t/metadata/")).anyMatch(key -> key.endsWith(".metadata.json"));
    assertThat(dir.resolve("node-1/warehouse")).doesNotExist();
    assertThat(dir.resolve("shared/warehouse")).doesNotExist();
    // the files this node wrote went into its cache as they were uploaded
    assertThat(cache().misses()).isZero();
    assertThat(cache().hits()).isPositive();
  }

  @Test
  void anotherNodeReadsTheSameTablesFromTheStore() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(500)");
    reopen(dir.resolve("node-2"), LakeConfig.DEFAULT_CACHE_BYTES);
    assertThat(rows("SELECT count(*), sum(id) FROM s.t")).containsExactly(List.of("500", "124750"));
    assertThat(cache().misses()).isEqualTo(1);
    assertThat(rows("SELECT count(*) FROM s.t")).containsExactly(List.of("500"));
    assertThat(cache().misses()).as("warm: no second download").isEqualTo(1);
  }

  @Test
  void mergesAndCompactionsReplaceFilesInTheStore() throws Exception {
    update("CREATE TABLE s.k AS SELECT range AS id, 'old' AS v FROM range(10)");
    Table table = lake.table(DatasetPath.of("s", "k"));
    try (var connection = sql.engine().connect();
        var statement = connection.createStatement()) {
      sql.writer()
          .write(
              statement,
              table,
              "SELECT 3::BIGINT AS id, 'new' AS v UNION ALL SELECT 20, 'added'",
              TableWriter.Mode.MERGE,
              List.of("id"),
              Map.of());
      for (int i = 0; i < 3; i++) {
        sql.writer().append(statement, table, "SELECT 100 + " + i + " AS id, 'x' AS v", Map.of());
      }
      assertThat(sql.writer().compact(statement, table, 1 << 20, 2)).isGreaterThan(1);
    }
    assertThat(rows("SELECT v, count(*) FROM s.k GROUP BY v ORDER BY v"))
        .containsExactly(
            List.of("added", "1"), List.of("new", "1"), List.of("old", "9"), List.of("x", "3"));
    // a new node, with nothing cached, reads the same rows from the store
    reopen(dir.resolve("node-2"), LakeConfig.DEFAULT_CACHE_BYTES);
    assertThat(rows("SELECT count(*), sum(id) FROM s.k")).containsExactly(List.of("14", "368"));
  }

  @Test
  void aCacheSmallerThanAScanStillAnswersAndThenShrinks() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(100)");
    update("INSERT INTO s.t SELECT range + 100 FROM range(100)");
    reopen(dir.resolve("node-2"), 1);
    assertThat(rows("SELECT count(*) FROM s.t")).containsExactly(List.of("200"));
    assertThat(cache().bytes()).as("nothing is held once the query is done").isZero();
  }

  @Test
  void droppingATableDeletesItsObjects() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(10)");
    assertThat(objects("s/t/")).isNotEmpty();
    update("DROP TABLE s.t");
    assertThat(objects("s/t/data/")).isEmpty();
  }

  @Test
  void wrongCredentialsOrAMissingBucketAreRefusedAtStartNamingTheBucket() {
    LakeConfig base = LakeConfig.embedded(dir.resolve("other"));
    assertThatThrownBy(
            () -> Lake.open(base.withS3Warehouse(WAREHOUSE, settings("wrong-secret"), 1 << 20)))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("bucket lake")
        .hasMessageContaining("403")
        .satisfies(
            e -> assertThat(((DataflowException) e).code()).isEqualTo(ErrorCode.PERMISSION_DENIED));
    assertThatThrownBy(
            () ->
                Lake.open(
                    base.withS3Warehouse(
                        "s3://missing/w", settings(S3ProxyServer.SECRET_KEY), 1 << 20)))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("bucket missing")
        .hasMessageContaining("NoSuchBucket");
    assertThat(Files.exists(dir.resolve("other/catalog.db")))
        .as("nothing is created before the store answers")
        .isFalse();
  }
}
