package dev.dataflow.server;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.parse.Statement.PartitionField;
import dev.dataflow.sql.tpch.TpchData;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.stream.Stream;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The demo lake made on first start: TPC-H generated into Iceberg tables in space {@code tpch}, and
 * views over them in space {@code demo}, the second stacked on the first.
 */
final class Demo {
  private static final Logger LOG = LoggerFactory.getLogger(Demo.class);
  static final String SPACE = "tpch";
  private static final String STAGING = "df_demo_staging";
  private static final List<String> TABLES =
      List.of("region", "nation", "part", "supplier", "partsupp", "customer", "orders", "lineitem");

  private static final List<String> VIEWS =
      List.of(
          """
          CREATE OR REPLACE VIEW demo.revenue_by_nation AS
          SELECT n.n_name AS nation, year(o.o_orderdate) AS order_year,
                 sum(l.l_extendedprice * (1 - l.l_discount)) AS revenue
          FROM tpch.lineitem l
          JOIN tpch.orders o ON l.l_orderkey = o.o_orderkey
          JOIN tpch.customer c ON o.o_custkey = c.c_custkey
          JOIN tpch.nation n ON c.c_nationkey = n.n_nationkey
          GROUP BY ALL""",
          """
          CREATE OR REPLACE VIEW demo.top_nations AS
          SELECT nation, sum(revenue) AS revenue
          FROM demo.revenue_by_nation
          GROUP BY nation
          ORDER BY revenue DESC
          LIMIT 5""",
          """
          CREATE OR REPLACE VIEW demo.orders.open_orders AS
          SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate
          FROM tpch.orders WHERE o_orderstatus = 'O'""");

  private Demo() {}

  /**
   * Loads the demo unless its space already exists (the data directory was used before); true when
   * it loaded it now.
   */
  static boolean loadIfAbsent(SqlService sql, double scale) {
    if (sql.lake().folderExists(List.of(SPACE))) {
      return false;
    }
    long start = System.nanoTime();
    loadTpch(sql, SPACE, scale);
    for (String view : VIEWS) {
      try (Execution execution = sql.execute("system", view)) {
        // a view is created when the statement returns
      }
    }
    LOG.info(
        "Demo lake (TPC-H scale {}) loaded in {} ms",
        scale,
        (System.nanoTime() - start) / 1_000_000);
    return true;
  }

  /** Applies every pipeline of the example project and runs each once. */
  static void runExamples(Pipelines pipelines, Path examples) {
    Path directory = examples.resolve("pipelines");
    if (!Files.isDirectory(directory)) {
      LOG.info("No example pipelines in {}", directory);
      return;
    }
    try (Stream<Path> files = Files.list(directory)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        String name = pipelines.apply(Files.readString(file), file).name();
        RunRecord run = pipelines.runOnce(name);
        LOG.info(
            "Example pipeline {}: {} rows in, {} written, {} in error ({})",
            name,
            run.rowsIn(),
            run.rowsOut(),
            run.rowsError(),
            run.status());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Generates TPC-H at {@code scale} into Iceberg tables of a space; orders is partitioned by year.
   */
  static void loadTpch(SqlService sql, String space, double scale) {
    try (DuckDBConnection connection = sql.engine().connect();
        Statement statement = connection.createStatement()) {
      TpchData.createTables(connection, STAGING, scale);
      try {
        for (String table : TABLES) {
          List<PartitionField> partitioning =
              table.equals("orders")
                  ? List.of(new PartitionField("year", "o_orderdate", 0))
                  : List.of();
          sql.writer()
              .createTableAs(
                  statement,
                  DatasetPath.of(space, table),
                  partitioning,
                  "SELECT * FROM " + Engine.identifier(STAGING) + "." + Engine.identifier(table));
        }
      } finally {
        statement.execute("DROP SCHEMA " + Engine.identifier(STAGING) + " CASCADE");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("Cannot generate the demo data: " + e.getMessage(), e);
    }
  }
}
