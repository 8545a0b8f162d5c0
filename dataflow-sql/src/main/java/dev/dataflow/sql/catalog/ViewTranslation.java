package dev.dataflow.sql.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.dialect.SparkTranslation;
import dev.dataflow.sql.plan.QueryPlanner;
import java.sql.Connection;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;

/** A view's SQL translated against the catalog as the planner binds it, on one connection. */
final class ViewTranslation implements SparkTranslation.Context {
  private final Lake lake;
  private final Engine engine;
  private final QueryPlanner planner;
  private final Connection connection;

  ViewTranslation(Lake lake, Engine engine, QueryPlanner planner, Connection connection) {
    this.lake = lake;
    this.engine = engine;
    this.planner = planner;
    this.connection = connection;
  }

  static SparkTranslation.Translation spark(
      Lake lake, Engine engine, QueryPlanner planner, Connection connection, String sql) {
    return new SparkTranslation(new ViewTranslation(lake, engine, planner, connection))
        .translate(sql);
  }

  @Override
  public JsonNode parse(String duckdbSql) {
    return engine.parseQuery(connection, duckdbSql, duckdbSql, 0);
  }

  @Override
  public DatasetPath resolve(DatasetPath written) {
    return planner.resolve(written);
  }

  @Override
  public Schema schema(DatasetPath dataset) {
    Table table = lake.tableOrNull(dataset);
    return table != null ? table.schema() : lake.viewOrNull(dataset).schema();
  }
}
