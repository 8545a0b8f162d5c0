package dev.dataflow.spark;

import static dev.dataflow.spark.SparkSql.numbers;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

/**
 * What Spark and Dataflow must do on every warehouse, as a contract suite: Spark reads a table
 * Dataflow wrote with Dataflow's own count and checksum, and Dataflow reads what Spark creates and
 * appends. Each warehouse's test adds what only it can check once a table is written.
 */
abstract class SparkWarehouseContract {
  abstract SparkSession spark();

  abstract DataflowRest rest();

  /** Checks of the warehouse's own on a table Spark and Dataflow both hold {@code rows} of. */
  abstract void written(String dataset, long rows) throws Exception;

  @Test
  void readsATableDataflowWroteWithTheSameCountAndChecksum() throws Exception {
    rest()
        .run(
            "CREATE TABLE sales.orders AS SELECT range AS id, range % 7 AS k,"
                + " 'order ' || range AS name FROM range(5000)");
    String checksum = "SELECT count(*), sum(id), sum(id * k), sum(length(name)) FROM ";
    List<List<String>> dataflowSays = numbers(rest().rows(checksum + "sales.orders"));
    assertThat(dataflowSays.get(0).get(0)).isEqualTo("5000");
    assertThat(numbers(SparkSql.rows(spark(), checksum + "dataflow.sales.orders")))
        .isEqualTo(dataflowSays);
    written("sales.orders", 5000);
  }

  @Test
  void createsAndAppendsATableThatDataflowReads() throws Exception {
    spark().sql("CREATE NAMESPACE IF NOT EXISTS dataflow.lab");
    spark().sql("CREATE TABLE dataflow.lab.events (id BIGINT, kind STRING) USING iceberg");
    spark().sql("INSERT INTO dataflow.lab.events VALUES (1, 'click'), (2, 'view')");
    assertThat(numbers(rest().rows("SELECT count(*), sum(id) FROM lab.events")))
        .containsExactly(List.of("2", "3"));
    spark().sql("INSERT INTO dataflow.lab.events SELECT id + 10, 'scroll' FROM range(3)");
    String checksum = "SELECT count(*), sum(id), sum(length(kind)) FROM ";
    assertThat(numbers(rest().rows(checksum + "lab.events")))
        .containsExactly(List.of("5", "36", "27"))
        .isEqualTo(numbers(SparkSql.rows(spark(), checksum + "dataflow.lab.events")));
    written("lab.events", 5);
  }
}
