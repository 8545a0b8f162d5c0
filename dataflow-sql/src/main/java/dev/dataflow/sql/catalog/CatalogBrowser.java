package dev.dataflow.sql.catalog;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.TypeMapping;
import dev.dataflow.sql.dialect.SparkTranslation;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.plan.PlannedQuery;
import dev.dataflow.sql.plan.QueryPlanner;
import dev.dataflow.sql.write.EngineErrors;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.view.SQLViewRepresentation;
import org.apache.iceberg.view.View;
import org.apache.iceberg.view.ViewRepresentation;
import org.duckdb.DuckDBConnection;

/**
 * Read-only browsing of the semantic layer for every access path: the tree of spaces and folders,
 * what a table or view is, a view's health, a table's snapshots, and lineage. Names resolve as
 * queries resolve them: exactly, else lower-cased (DuckDB identifiers are case-insensitive).
 * Snapshot ids are strings: they are 64-bit and would lose digits in a JavaScript client.
 */
public final class CatalogBrowser {
  public static final String SPACE = "SPACE";
  public static final String FOLDER = "FOLDER";
  public static final String TABLE = "TABLE";
  public static final String VIEW = "VIEW";
  public static final String MISSING = "MISSING";

  /** What {@link #entry} describes. */
  public sealed interface Entry permits Folder, TableEntry, ViewEntry {
    String type();

    String path();
  }

  /** A space (the top level), a folder, or the catalog root (type ROOT, empty path). */
  public record Folder(String type, String path, List<Child> children) implements Entry {}

  public record Child(String name, String type, String path) {}

  public record Column(String name, String type, boolean nullable) {}

  public record Partition(String name, String transform, String sourceColumn) {}

  public record TableEntry(
      String type,
      String path,
      List<Column> schema,
      List<Partition> partitioning,
      String currentSnapshotId,
      String location)
      implements Entry {}

  /**
   * A view; {@code status} is OK, or INVALID with the reasons in {@code problems}. {@code dialects}
   * are its SQL representations (DuckDB's first); {@code missingDialects} says, for each dialect
   * Dataflow translates to that the view has no representation in, why not.
   */
  public record ViewEntry(
      String type,
      String path,
      String sql,
      List<Column> schema,
      List<String> upstream,
      String status,
      List<String> problems,
      List<Dialect> dialects,
      Map<String, String> missingDialects)
      implements Entry {}

  /** One SQL representation of a view. */
  public record Dialect(String dialect, String sql) {}

  public record SnapshotEntry(
      String snapshotId,
      String parentId,
      String timestamp,
      String operation,
      Map<String, String> summary) {}

  private final Lake lake;
  private final Engine engine;
  private final QueryPlanner planner;

  public CatalogBrowser(Lake lake, Engine engine) {
    this.lake = requireNonNull(lake, "lake is null");
    this.engine = requireNonNull(engine, "engine is null");
    this.planner = new QueryPlanner(engine, lake);
  }

  /** The catalog root: its spaces. */
  public Folder root() {
    return new Folder("ROOT", "", children(Namespace.empty(), null));
  }

  /** The table, view, space or folder at a path. */
  public Entry entry(DatasetPath path) {
    requireNonNull(path, "path is null");
    DatasetPath found = datasetPath(path);
    if (found != null) {
      Table table = lake.tableOrNull(found);
      if (table != null) {
        return table(found, table);
      }
      View view = lake.viewOrNull(found);
      if (view != null) {
        return view(found, view);
      }
    }
    DatasetPath folder = folderPath(path);
    if (folder == null) {
      throw notFound(path);
    }
    String type = folder.parts().size() == 1 ? SPACE : FOLDER;
    return new Folder(type, folder.toString(), children(Lake.namespace(folder.parts()), folder));
  }

  /** A table's snapshots, newest first. */
  public List<SnapshotEntry> snapshots(DatasetPath path) {
    requireNonNull(path, "path is null");
    DatasetPath found = datasetPath(path);
    Table table = found == null ? null : lake.tableOrNull(found);
    if (table == null) {
      throw found != null || folderPath(path) != null
          ? new DataflowException(
              ErrorCode.INVALID_ARGUMENT, path + " is not a table: only tables have snapshots")
          : notFound(path);
    }
    List<Snapshot> snapshots = new ArrayList<>();
    table.snapshots().forEach(snapshots::add);
    snapshots.sort(
        Comparator.comparingLong(Snapshot::timestampMillis)
            .thenComparingLong(Snapshot::sequenceNumber)
            .reversed());
    return snapshots.stream().map(CatalogBrowser::snapshot).toList();
  }

  /** Upstream and downstream datasets of a table or view and, for a view, its column lineage. */
  public Lineage lineage(DatasetPath path) {
    requireNonNull(path, "path is null");
    DatasetPath found = datasetPath(path);
    if (found == null) {
      throw folderPath(path) != null
          ? new DataflowException(
              ErrorCode.INVALID_ARGUMENT,
              path + " is a folder: lineage belongs to tables and views")
          : notFound(path);
    }
    Lineage.Graph graph = Lineage.Graph.of(lake);
    View view = lake.viewOrNull(found);
    return new Lineage(
        graph.upstreamOf(found),
        graph.downstreamOf(found),
        view == null ? List.of() : columnLineage(view));
  }

  private List<Child> children(Namespace namespace, DatasetPath parent) {
    List<Child> children = new ArrayList<>();
    for (Namespace child : lake.catalog().listNamespaces(namespace)) {
      String name = child.level(child.length() - 1);
      children.add(child(parent, name, parent == null ? SPACE : FOLDER));
    }
    if (parent != null) {
      lake.catalog()
          .listTables(namespace)
          .forEach(t -> children.add(child(parent, t.name(), TABLE)));
      lake.catalog().listViews(namespace).forEach(v -> children.add(child(parent, v.name(), VIEW)));
    }
    children.sort(Comparator.comparing(Child::name));
    return children;
  }

  private static Child child(DatasetPath parent, String name, String type) {
    DatasetPath path = parent == null ? DatasetPath.of(name) : parent.child(name);
    return new Child(name, type, path.toString());
  }

  private TableEntry table(DatasetPath path, Table table) {
    Schema schema = table.schema();
    List<Partition> partitioning = new ArrayList<>();
    for (PartitionField field : table.spec().fields()) {
      partitioning.add(
          new Partition(
              field.name(), field.transform().toString(), schema.findColumnName(field.sourceId())));
    }
    Snapshot current = table.currentSnapshot();
    return new TableEntry(
        TABLE,
        path.toString(),
        columns(schema),
        partitioning,
        current == null ? null : Long.toString(current.snapshotId()),
        table.location());
  }

  private ViewEntry view(DatasetPath path, View view) {
    List<String> upstream = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (DatasetPath named : Views.upstream(view)) {
      DatasetPath found = datasetPath(named);
      upstream.add((found == null ? named : found).toString());
      if (found == null) {
        problems.add("upstream " + named + " does not exist");
      }
    }
    String sql = sqlOf(view);
    if (problems.isEmpty()) {
      String problem = bindingProblem(sql);
      if (problem != null) {
        problems.add(problem);
      }
    }
    List<Dialect> dialects = dialects(view);
    return new ViewEntry(
        VIEW,
        path.toString(),
        sql,
        columns(view.schema()),
        upstream,
        problems.isEmpty() ? "OK" : "INVALID",
        problems,
        dialects,
        missingDialects(view, dialects));
  }

  private static List<Dialect> dialects(View view) {
    List<Dialect> dialects = new ArrayList<>();
    for (ViewRepresentation representation : view.currentVersion().representations()) {
      if (representation instanceof SQLViewRepresentation sql) {
        dialects.add(new Dialect(sql.dialect(), sql.sql()));
      }
    }
    return dialects;
  }

  private static Map<String, String> missingDialects(View view, List<Dialect> dialects) {
    if (dialects.stream().anyMatch(d -> d.dialect().equals(SparkTranslation.DIALECT))) {
      return Map.of();
    }
    return Map.of(
        SparkTranslation.DIALECT,
        view.properties()
            .getOrDefault(
                SparkTranslation.MISSING,
                "the view was stored before Dataflow translated views: replace it to translate it"));
  }

  private static String sqlOf(View view) {
    SQLViewRepresentation representation = view.sqlFor(QueryPlanner.DIALECT);
    return representation == null ? "" : representation.sql();
  }

  /** Why a view's query no longer binds (a column gone, an upstream view broken), or null. */
  private String bindingProblem(String sql) {
    try (DuckDBConnection connection = engine.connect();
        java.sql.Statement statement = connection.createStatement()) {
      PlannedQuery planned = planner.plan(connection, new Statement.Query(sql, 0, sql));
      // DESCRIBE binds the query without running it (reading the files' schemas)
      try (Warehouse.Held held = lake.warehouse().hold(planned.files())) {
        statement.executeQuery("DESCRIBE " + planned.sql()).close();
      }
      return null;
    } catch (DataflowException e) {
      return e.getMessage();
    } catch (SQLException e) {
      return EngineErrors.translate(e).getMessage();
    }
  }

  private List<Lineage.ColumnLineage> columnLineage(View view) {
    String sql = sqlOf(view);
    List<String> outputs = view.schema().columns().stream().map(Types.NestedField::name).toList();
    try (DuckDBConnection connection = engine.connect()) {
      JsonNode tree = engine.parseQuery(connection, sql, sql, 0);
      return Lineage.columnsOf(tree, outputs, this::dataset);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    } catch (DataflowException e) {
      return List.of(); // a view whose SQL no longer parses has no column lineage to show
    }
  }

  private Lineage.Dataset dataset(DatasetPath written) {
    DatasetPath found = datasetPath(written);
    if (found == null) {
      return null;
    }
    Table table = lake.tableOrNull(found);
    Schema schema = table != null ? table.schema() : lake.viewOrNull(found).schema();
    return new Lineage.Dataset(
        found, schema.columns().stream().map(Types.NestedField::name).toList());
  }

  private static List<Column> columns(Schema schema) {
    List<Column> columns = new ArrayList<>();
    for (Types.NestedField field : schema.columns()) {
      columns.add(new Column(field.name(), typeName(field.type()), field.isOptional()));
    }
    return columns;
  }

  /** The type as queries see it (DuckDB's name), or Iceberg's when DuckDB cannot read it. */
  private static String typeName(Type type) {
    try {
      return TypeMapping.duckdbType(type);
    } catch (DataflowException e) {
      return type.toString();
    }
  }

  private static SnapshotEntry snapshot(Snapshot snapshot) {
    return new SnapshotEntry(
        Long.toString(snapshot.snapshotId()),
        snapshot.parentId() == null ? null : Long.toString(snapshot.parentId()),
        Instant.ofEpochMilli(snapshot.timestampMillis()).toString(),
        snapshot.operation(),
        snapshot.summary());
  }

  /** The path of the table or view a path names, as queries resolve it; null when there is none. */
  private DatasetPath datasetPath(DatasetPath path) {
    for (DatasetPath candidate : List.of(path, lowerCase(path))) {
      if (lake.tableOrNull(candidate) != null || lake.viewOrNull(candidate) != null) {
        return candidate;
      }
    }
    return null;
  }

  private DatasetPath folderPath(DatasetPath path) {
    for (DatasetPath candidate : List.of(path, lowerCase(path))) {
      if (lake.folderExists(candidate.parts())) {
        return candidate;
      }
    }
    return null;
  }

  static DatasetPath lowerCase(DatasetPath path) {
    return new DatasetPath(path.parts().stream().map(p -> p.toLowerCase(Locale.ROOT)).toList());
  }

  private static DataflowException notFound(DatasetPath path) {
    return new DataflowException(
        ErrorCode.NOT_FOUND,
        "Nothing in the catalog at " + path + " (no space, folder, table or view)");
  }
}
