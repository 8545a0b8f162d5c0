package dev.dataflow.spark;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.FileScanTask;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Spark in local mode with Dataflow as its Iceberg REST catalog {@code dataflow}, and its rows. */
final class SparkSql {
  private SparkSql() {}

  /** Spark local on loopback, its catalog {@code dataflow} at {@code catalogUri}. */
  static SparkSession.Builder local(Path dir, String catalogUri) {
    return SparkSession.builder()
        .master("local[2]")
        .appName("dataflow-spark-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        // Iceberg's views (and its other SQL) reach Spark's analyzer through its extensions
        .config(
            "spark.sql.extensions",
            "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.sql.warehouse.dir", dir.resolve("spark-warehouse").toString())
        .config("spark.sql.catalog.dataflow", "org.apache.iceberg.spark.SparkCatalog")
        .config("spark.sql.catalog.dataflow.type", "rest")
        .config("spark.sql.catalog.dataflow.uri", catalogUri)
        // Spark would otherwise keep a loaded table for 30 s and miss Dataflow's commits
        .config("spark.sql.catalog.dataflow.cache-enabled", "false");
  }

  /** A query's rows, each a list of its values as text. */
  static List<List<String>> rows(SparkSession spark, String sql) {
    List<List<String>> rows = new ArrayList<>();
    for (Row row : spark.sql(sql).collectAsList()) {
      List<String> values = new ArrayList<>();
      for (int i = 0; i < row.length(); i++) {
        values.add(row.isNullAt(i) ? null : row.get(i).toString());
      }
      rows.add(values);
    }
    return rows;
  }

  /** A table's current data files, as its manifests list them. */
  static List<DataFile> files(Table table) throws IOException {
    List<DataFile> files = new ArrayList<>();
    try (CloseableIterable<FileScanTask> tasks = table.newScan().planFiles()) {
      tasks.forEach(task -> files.add(task.file().copy()));
    }
    return files;
  }

  /** Numbers as one engine or the other prints them (4995, 4995.0), compared by value. */
  static List<List<String>> numbers(List<List<String>> rows) {
    return rows.stream().map(row -> row.stream().map(SparkSql::number).toList()).toList();
  }

  private static String number(String value) {
    try {
      return new BigDecimal(value).stripTrailingZeros().toPlainString();
    } catch (NumberFormatException e) {
      return value;
    }
  }
}
