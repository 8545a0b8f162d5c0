package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.Memo;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import dev.dataflow.sql.plan.PlannedQuery;
import dev.dataflow.sql.plan.QueryPlanner;
import dev.dataflow.sql.write.EngineErrors;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.duckdb.DuckDBConnection;

/**
 * Learns a statement's shape without running it, for prepared statements: the JDBC driver asks for
 * the result schema before it executes, and a statement with side effects must run only when
 * executed. A query is bound by the same planner {@code SqlService} uses (so refused and unknown
 * datasets fail here already) and DuckDB prepares it; nothing is read and no job is recorded.
 */
final class StatementDescriber {
  private final Engine engine;
  private final QueryPlanner planner;
  private final Warehouse warehouse;
  // DuckDB binds the same planned text to the same shape: its files never change
  private final Memo<StatementShape> shapes = new Memo<>(4 << 20, shape -> 1024);

  StatementDescriber(Engine engine, QueryPlanner planner, Warehouse warehouse) {
    this.engine = requireNonNull(engine, "engine is null");
    this.planner = requireNonNull(planner, "planner is null");
    this.warehouse = requireNonNull(warehouse, "warehouse is null");
  }

  StatementShape describe(String sql) {
    if (!(StatementParser.parse(sql) instanceof Statement.Query query)) {
      return StatementShape.UPDATE;
    }
    try (DuckDBConnection connection = engine.connect()) {
      PlannedQuery planned = planner.plan(connection, query);
      return shapes.computeIfAbsent(planned.sql(), text -> prepare(connection, text, planned));
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** Prepares a shape not known yet: binding reads the files' schemas, so they are held. */
  private StatementShape prepare(DuckDBConnection connection, String sql, PlannedQuery planned) {
    try (Warehouse.Held held = warehouse.hold(planned.files())) {
      return prepare(connection, sql);
    }
  }

  private static StatementShape prepare(DuckDBConnection connection, String sql) {
    try (PreparedStatement prepared =
        connection.prepareStatement("SELECT * FROM (" + sql + ") LIMIT 0")) {
      List<String> parameterTypes = parameterTypes(prepared.getParameterMetaData());
      // declared, not run: even with LIMIT 0 DuckDB would build the query's hash tables
      Schema result = declared(prepared.getMetaData());
      return new StatementShape(true, result, parameterSchema(parameterTypes), parameterTypes);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  private static List<String> parameterTypes(ParameterMetaData metadata) throws SQLException {
    List<String> types = new ArrayList<>();
    for (int i = 1; i <= metadata.getParameterCount(); i++) {
      types.add(metadata.getParameterTypeName(i));
    }
    return types;
  }

  private static Schema parameterSchema(List<String> types) {
    List<Field> fields = new ArrayList<>();
    for (int i = 0; i < types.size(); i++) {
      fields.add(ArrowTypes.parameter(i + 1, types.get(i)));
    }
    return new Schema(fields);
  }

  /**
   * The schema DuckDB declares for a prepared query; the executed query's stream carries the exact
   * types.
   */
  private static Schema declared(ResultSetMetaData metadata) throws SQLException {
    List<Field> fields = new ArrayList<>();
    for (int i = 1; i <= metadata.getColumnCount(); i++) {
      fields.add(ArrowTypes.fromDuckdb(metadata.getColumnName(i), metadata.getColumnTypeName(i)));
    }
    return new Schema(fields);
  }
}
