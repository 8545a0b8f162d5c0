package dev.dataflow.sql.catalog;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.dialect.SparkTranslation;
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
import org.apache.iceberg.view.UpdateViewProperties;
import org.apache.iceberg.view.View;
import org.apache.iceberg.view.ViewBuilder;
import org.apache.iceberg.view.ViewProperties;

/**
 * The semantic layer's views, each stored as an Iceberg view so other engines find it: its SQL in
 * dialect {@code duckdb}, and in dialect {@code spark} where {@link SparkTranslation} can write it
 * with the same meaning (else property {@link SparkTranslation#MISSING} says why not). A view's
 * direct upstream datasets are kept in its properties for lineage and health checks.
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
    // DuckDB's SQL first: Iceberg answers a dialect a view lacks with its first representation
    ViewBuilder builder =
        lake.catalog()
            .buildView(identifier)
            .withSchema(schema)
            .withDefaultNamespace(identifier.namespace())
            .withQuery(QueryPlanner.DIALECT, query.text())
            .withProperty(UPSTREAM, String.join("\n", direct(connection, query)));
    SparkTranslation.Translation spark =
        ViewTranslation.spark(lake, engine, planner, connection, query.text());
    if (spark.sql() != null) {
      builder.withQuery(SparkTranslation.DIALECT, spark.sql());
    } else {
      // Iceberg refuses a replacement that drops a dialect unless told it is meant
      builder
          .withProperty(SparkTranslation.MISSING, spark.refusal())
          .withProperty(ViewProperties.REPLACE_DROP_DIALECT_ALLOWED, "true");
    }
    return exists ? replaced(builder.replace(), spark) : builder.create();
  }

  /**
   * A replacement keeps the view's other properties: the permission to drop a dialect is taken back
   * (so another engine's replacement cannot drop DuckDB's SQL), and the reason of a Spark form the
   * view had none of is dropped once it has one (readers trust the representations first).
   */
  private static View replaced(View view, SparkTranslation.Translation spark) {
    List<String> stale = new ArrayList<>(List.of(ViewProperties.REPLACE_DROP_DIALECT_ALLOWED));
    if (spark.sql() != null) {
      stale.add(SparkTranslation.MISSING);
    }
    stale.removeIf(key -> !view.properties().containsKey(key));
    if (!stale.isEmpty()) {
      UpdateViewProperties update = view.updateProperties();
      stale.forEach(update::remove);
      update.commit();
    }
    return view;
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
