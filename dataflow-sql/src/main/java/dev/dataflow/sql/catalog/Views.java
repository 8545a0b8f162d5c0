package dev.dataflow.sql.catalog;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.plan.PlannedQuery;
import dev.dataflow.sql.plan.QueryPlanner;
import dev.dataflow.sql.plan.References;
import dev.dataflow.sql.write.TableWriter;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Schema;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.view.View;
import org.apache.iceberg.view.ViewBuilder;

/**
 * The semantic layer's views, each stored as an Iceberg view (dialect {@code duckdb}) so other
 * engines find it. A view's direct upstream datasets are kept in its properties for lineage and
 * health checks.
 */
public final class Views {
  /** View property listing the datasets the view's SQL names directly, one path per line. */
  public static final String UPSTREAM = "dataflow.upstream";

  private final Lake lake;
  private final Engine engine;
  private final QueryPlanner planner;

  public Views(Lake lake, Engine engine, QueryPlanner planner) {
    this.lake = requireNonNull(lake, "lake is null");
    this.engine = requireNonNull(engine, "engine is null");
    this.planner = requireNonNull(planner, "planner is null");
  }

  /** Fails when a dataset of another kind holds the path. */
  public void checkFree(DatasetPath path, boolean tableAllowed) {
    if (lake.viewOrNull(path) != null) {
      throw new DataflowException(ErrorCode.ALREADY_EXISTS, "A view already exists at " + path);
    }
    if (!tableAllowed && lake.tableOrNull(path) != null) {
      throw new DataflowException(ErrorCode.ALREADY_EXISTS, "A table already exists at " + path);
    }
  }

  /** Creates (or replaces) a view after checking that its query binds and does not reach itself. */
  public View create(
      java.sql.Statement statement, DatasetPath path, Statement.Query query, boolean replace) {
    Connection connection;
    try {
      connection = statement.getConnection();
    } catch (java.sql.SQLException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Closed statement", e);
    }
    TableIdentifier identifier = Lake.identifier(path);
    if (lake.tableOrNull(path) != null) {
      throw new DataflowException(ErrorCode.ALREADY_EXISTS, "A table already exists at " + path);
    }
    boolean exists = lake.viewOrNull(path) != null;
    if (exists && !replace) {
      throw new DataflowException(
          ErrorCode.ALREADY_EXISTS,
          "View " + path + " already exists (use CREATE OR REPLACE VIEW)");
    }
    PlannedQuery planned = planner.plan(connection, query);
    if (planned.reads().stream().anyMatch(read -> read.path().equals(path))) {
      throw new DataflowException(ErrorCode.INVALID_VIEW, "View " + path + " would read itself");
    }
    Schema schema;
    try (Warehouse.Held held = lake.warehouse().hold(planned.files())) {
      schema = TableWriter.schemaOf(statement, planned.sql());
    }
    lake.createFolders(path.parent());
    ViewBuilder builder =
        lake.catalog()
            .buildView(identifier)
            .withSchema(schema)
            .withDefaultNamespace(identifier.namespace())
            .withQuery(QueryPlanner.DIALECT, query.text())
            .withProperty(UPSTREAM, String.join("\n", direct(connection, query)));
    return exists ? builder.replace() : builder.create();
  }

  /** The datasets a query names itself (not those reached through the views it names). */
  private List<String> direct(Connection connection, Statement.Query query) {
    List<String> names = new ArrayList<>();
    for (DatasetPath path :
        References.of(
            engine.parseQuery(connection, query.text(), query.source(), query.offset()))) {
      if (!names.contains(path.toString())) {
        names.add(path.toString());
      }
    }
    return names;
  }

  public boolean drop(DatasetPath path) {
    return lake.dropView(path);
  }

  /** The upstream datasets a view names, as stored at its creation. */
  public static List<DatasetPath> upstream(View view) {
    String stored = view.properties().getOrDefault(UPSTREAM, "");
    List<DatasetPath> paths = new ArrayList<>();
    for (String line : stored.split("\n")) {
      if (!line.isBlank()) {
        paths.add(DatasetPath.parse(line));
      }
    }
    return paths;
  }
}
