package dev.dataflow.spark;

import static dev.dataflow.spark.SparkSql.numbers;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.Transaction;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spark 4.1 in local mode with Dataflow as its Iceberg REST catalog: it sees Dataflow's spaces and
 * tables, and Dataflow's SQL, Flight SQL and catalog see what Spark writes, with nothing lost when
 * their commits race.
 */
class SparkRestCatalogIT extends SparkWarehouseContract {
  @TempDir static Path dir;
  private static DataflowProcess dataflow;
  private static DataflowRest rest;
  private static SparkSession spark;

  @BeforeAll
  static void start() throws Exception {
    dataflow = DataflowProcess.start(dir.resolve("dataflow"));
    rest = new DataflowRest(dataflow.url());
    spark = SparkSql.local(dir, dataflow.url() + "/iceberg").getOrCreate();
  }

  @AfterAll
  static void stop() throws Exception {
    if (spark != null) {
      spark.stop();
    }
    if (dataflow != null) {
      dataflow.close();
    }
  }

  private static List<List<String>> spark(String sql) {
    return SparkSql.rows(spark, sql);
  }

  private static long flightCount(String dataset) throws Exception {
    String url =
        "jdbc:arrow-flight-sql://127.0.0.1:" + dataflow.flightPort + "?useEncryption=false";
    try (Connection connection = DriverManager.getConnection(url);
        Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT count(*) FROM " + dataset)) {
      assertThat(rows.next()).isTrue();
      return rows.getLong(1);
    }
  }

  @Test
  void listsTheSpacesAsNamespaces() throws Exception {
    rest.run("CREATE TABLE marketing.campaigns AS SELECT 1 AS id");
    assertThat(spark("SHOW NAMESPACES IN dataflow")).contains(List.of("marketing"));
    assertThat(spark("SHOW TABLES IN dataflow.marketing"))
        .anySatisfy(row -> assertThat(row).contains("campaigns"));
  }

  @Override
  SparkSession spark() {
    return spark;
  }

  @Override
  DataflowRest rest() {
    return rest;
  }

  /** Flight SQL and the catalog listing the console shows see the table too. */
  @Override
  void written(String dataset, long rows) throws Exception {
    assertThat(flightCount(dataset)).isEqualTo(rows);
    String folder = dataset.substring(0, dataset.indexOf('.'));
    assertThat(rest.catalog(folder).toString())
        .contains(dataset.substring(dataset.indexOf('.') + 1));
  }

  @Test
  void racingCommitsFromSparkAndDataflowLoseNothing() throws Exception {
    rest.run("CREATE TABLE race.t AS SELECT range AS id, 'dataflow' AS source FROM range(100)");
    spark.sql("CREATE TABLE dataflow.race.staged (id BIGINT, source STRING) USING iceberg");
    spark.sql("INSERT INTO dataflow.race.staged SELECT id + 1000, 'spark' FROM range(50)");
    Table target = Spark3Util.loadIcebergTable(spark, "dataflow.race.t");
    long base = target.currentSnapshot().snapshotId();

    // Spark's commit is prepared on the table as it was, then Dataflow commits first
    Transaction transaction = target.newTransaction();
    var append = transaction.newAppend();
    SparkSql.files(Spark3Util.loadIcebergTable(spark, "dataflow.race.staged"))
        .forEach(append::appendFile);
    append.commit();
    rest.run("INSERT INTO race.t SELECT range + 2000, 'dataflow' FROM range(10)");
    long dataflowCommit =
        Spark3Util.loadIcebergTable(spark, "dataflow.race.t").currentSnapshot().snapshotId();
    transaction.commitTransaction();

    // refused as stale (409), Spark's commit was retried on top of Dataflow's
    target.refresh();
    assertThat(dataflowCommit).isNotEqualTo(base);
    assertThat(target.currentSnapshot().parentId()).isEqualTo(dataflowCommit);
    String bySource = "SELECT source, count(*), sum(id) FROM %s GROUP BY source ORDER BY source";
    List<List<String>> expected =
        List.of(List.of("dataflow", "110", "24995"), List.of("spark", "50", "51225"));
    assertThat(numbers(rest.rows(bySource.formatted("race.t")))).isEqualTo(expected);
    assertThat(numbers(spark(bySource.formatted("dataflow.race.t")))).isEqualTo(expected);
  }

  @Test
  void readsDataflowViews() throws Exception {
    rest.run("CREATE TABLE shop.items AS SELECT range AS id, range % 3 AS kind FROM range(30)");
    rest.run("CREATE VIEW shop.kind_one AS SELECT id FROM shop.items WHERE kind = 1");
    assertThat(numbers(spark("SELECT count(*), sum(id) FROM dataflow.shop.kind_one")))
        .isEqualTo(numbers(rest.rows("SELECT count(*), sum(id) FROM shop.kind_one")));
    rest.run(
        "CREATE VIEW shop.by_kind AS SELECT kind, count(*) AS n, sum(id) AS total,"
            + " CASE WHEN kind = 0 THEN 'none' ELSE 'some' END AS label"
            + " FROM shop.items i JOIN shop.kind_one o USING (id) GROUP BY kind"
            + " UNION ALL SELECT kind, count(*), sum(id), 'all' FROM shop.items GROUP BY kind");
    String rows = "SELECT kind, n, total, label FROM %s ORDER BY label, kind";
    assertThat(spark(rows.formatted("dataflow.shop.by_kind")))
        .isEqualTo(rest.rows(rows.formatted("shop.by_kind")));
  }
}
