package dev.dataflow.sql.plan;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.parse.Position;
import dev.dataflow.sql.parse.Statement;
import java.sql.Connection;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;
import org.apache.iceberg.util.SnapshotUtil;
import org.apache.iceberg.view.BaseView;
import org.apache.iceberg.view.View;

/**
 * Binds a query to the lake. DuckDB parses it; every table reference is resolved in the catalog and
 * replaced by a read of the snapshot's pruned data files, every view by its own (recursively bound)
 * query. Anything else that reads outside the catalog — a table function, a file path — is refused
 * here, before the engine sees it.
 */
public final class QueryPlanner {
  /** The dialect a view's SQL is stored under in its Iceberg view version. */
  public static final String DIALECT = "duckdb";

  private static final int MAX_VIEW_DEPTH = 32;

  /** Table functions that only compute rows and touch nothing outside the query. */
  private static final Set<String> GENERATORS = Set.of("range", "generate_series", "unnest");

  private final Engine engine;
  private final Lake lake;
  private final ScanCache scans = new ScanCache();
  private final PlanCache plans = new PlanCache();

  public QueryPlanner(Engine engine, Lake lake) {
    this.engine = requireNonNull(engine, "engine is null");
    this.lake = requireNonNull(lake, "lake is null");
  }

  public PlannedQuery plan(Connection connection, Statement.Query query) {
    return plan(connection, query, Set.of(), () -> false);
  }

  /**
   * Plans a query in which the single-part names {@code localRelations} (lower case) are tables of
   * the connection itself — a pipeline's stages — and are left as they are.
   */
  public PlannedQuery plan(
      Connection connection, Statement.Query query, Set<String> localRelations) {
    return plan(connection, query, localRelations, () -> false);
  }

  /**
   * Plans a query within the engine's {@link PlanLimits}; once {@code stopped} answers true (a
   * cancel, a timeout) binding ends with a {@link java.util.concurrent.CancellationException}.
   */
  public PlannedQuery plan(
      Connection connection,
      Statement.Query query,
      Set<String> localRelations,
      BooleanSupplier stopped) {
    requireNonNull(query, "query is null");
    requireNonNull(localRelations, "localRelations is null");
    requireNonNull(stopped, "stopped is null");
    PlanLimits limits = engine.config().limits();
    limits.checkLength(query.source());
    String key = String.join(",", new TreeSet<>(localRelations)) + "\n" + query.text();
    PlanCache.Entry known = plans.get(key);
    if (known != null && known.isCurrent(this::identity)) {
      return known.planned();
    }
    PlanBudget budget = new PlanBudget(limits, stopped);
    Binding binding = new Binding(connection, query.source(), query.offset(), budget);
    binding.cteScopes.push(localRelations);
    JsonNode tree = engine.parseQuery(connection, query.text(), query.source(), query.offset());
    budget.checkMemory();
    JsonNode node;
    try {
      node = binding.bindStatement(tree, 0, null);
    } catch (StackOverflowError e) {
      // only when an operator raised --max-plan-depth beyond what a thread's stack holds
      throw PlanLimits.exceeded(
          "The statement nests deeper than the planner's stack holds", "--max-plan-depth");
    }
    ObjectNode rendered = ((ObjectNode) tree.deepCopy());
    ((ObjectNode) rendered.get("statements").get(0)).set("node", node);
    PlannedQuery planned =
        new PlannedQuery(
            engine.render(connection, rendered),
            binding.reads(),
            List.copyOf(binding.files),
            binding.scanBytes,
            binding.generates);
    plans.put(key, new PlanCache.Entry(planned, binding.identities()));
    return planned;
  }

  /**
   * What a name resolves to now, as the binding resolves it (a table first, then a view): its
   * current metadata file, which any change to the dataset replaces.
   */
  private String identity(DatasetPath path) {
    Optional<Table> table = lookUpTable(path);
    if (table.isPresent()) {
      return identity(table.get());
    }
    View view = viewOrNull(path);
    return view == null ? PlanCache.ABSENT : identity(view);
  }

  private static String identity(Table table) {
    return "table " + ((HasTableOperations) table).operations().current().metadataFileLocation();
  }

  private static String identity(View view) {
    return "view " + ((BaseView) view).operations().current().metadataFileLocation();
  }

  /**
   * The path under which the catalog holds the dataset a name written in a query binds to (a table
   * first, then a view), or null when there is none.
   */
  public DatasetPath resolve(DatasetPath written) {
    requireNonNull(written, "written is null");
    DatasetPath table = first(written, path -> lake.tableOrNull(path) == null ? null : path);
    return table != null
        ? table
        : first(written, path -> lake.viewOrNull(path) == null ? null : path);
  }

  private Optional<Table> lookUpTable(DatasetPath path) {
    return Optional.ofNullable(first(path, lake::tableOrNull));
  }

  private View viewOrNull(DatasetPath path) {
    return first(path, lake::viewOrNull);
  }

  /** What {@code find} finds for the first spelling of a path that it finds anything for. */
  private <T> T first(DatasetPath path, Function<DatasetPath, T> find) {
    for (DatasetPath candidate : spellings(path)) {
      T found = find.apply(candidate);
      if (found != null) {
        return found;
      }
    }
    return null;
  }

  /**
   * The ways a path may have been written: as is, unquoted names folded to lower case, and a folder
   * path given as one quoted schema name ({@code "demo.orders".open_orders}), as JDBC tools that
   * list folders as schemas write it.
   */
  private List<DatasetPath> spellings(DatasetPath path) {
    List<String> split = new ArrayList<>();
    for (String part : path.parts()) {
      split.addAll(List.of(part.split("\\.", -1)));
    }
    List<DatasetPath> spellings = new ArrayList<>(List.of(path, lowerCase(path)));
    if (split.size() > path.parts().size() && split.stream().noneMatch(String::isEmpty)) {
      spellings.add(new DatasetPath(split));
      spellings.add(lowerCase(new DatasetPath(split)));
    }
    return spellings.stream().distinct().toList();
  }

  private DatasetPath lowerCase(DatasetPath path) {
    return new DatasetPath(path.parts().stream().map(p -> p.toLowerCase(Locale.ROOT)).toList());
  }

  /**
   * The state of binding one statement: resolved datasets are reused so a query sees one snapshot.
   */
  private final class Binding {
    private final Connection connection;
    private final String source;
    private final int offset;
    private final Map<String, DatasetRead> reads = new LinkedHashMap<>();
    private final Map<JsonNode, Expression> filters = new IdentityHashMap<>();
    private final Map<DatasetPath, Optional<Table>> tables = new HashMap<>();
    private final Map<DatasetPath, String> identities = new HashMap<>();
    private final Deque<Set<String>> cteScopes = new ArrayDeque<>();
    private final PlanBudget budget;
    private DatasetPath currentView;
    // nesting of the node being walked in the bound tree: a view's body continues from its use
    private int level;
    private final Set<String> files = new LinkedHashSet<>();
    private long scanBytes;
    private boolean generates;

    Binding(Connection connection, String source, int offset, PlanBudget budget) {
      this.connection = connection;
      this.source = source;
      this.offset = offset;
      this.budget = budget;
    }

    List<DatasetRead> reads() {
      return new ArrayList<>(reads.values());
    }

    /** What each name bound resolved to (see {@link QueryPlanner#identity(DatasetPath)}). */
    Map<DatasetPath, String> identities() {
      return identities;
    }

    JsonNode bindStatement(JsonNode tree, int depth, DatasetPath view) {
      JsonNode statements = tree.path("statements");
      if (statements.size() != 1) {
        throw new DataflowException(ErrorCode.SYNTAX_ERROR, "Submit exactly one query");
      }
      if (depth > MAX_VIEW_DEPTH) {
        throw new DataflowException(
            ErrorCode.INVALID_VIEW, "Views nest deeper than " + MAX_VIEW_DEPTH + " (a cycle?)");
      }
      Deque<Set<String>> outerScopes = new ArrayDeque<>(cteScopes);
      DatasetPath outerView = currentView;
      if (view != null) {
        // a view's SQL sees the catalog only, never the names around its use
        cteScopes.clear();
      }
      currentView = view;
      JsonNode node = statements.get(0).get("node").deepCopy();
      walk(node, depth);
      cteScopes.clear();
      cteScopes.addAll(outerScopes);
      currentView = outerView;
      return node;
    }

    private void walk(JsonNode node, int depth) {
      if (!node.isContainerNode()) {
        return;
      }
      level++;
      try {
        walkContainer(node, depth);
      } finally {
        level--;
      }
    }

    private void walkContainer(JsonNode node, int depth) {
      if (node.isArray()) {
        ArrayNode array = (ArrayNode) node;
        for (int i = 0; i < array.size(); i++) {
          JsonNode bound = bindRelation(array.get(i), depth);
          if (bound != null) {
            array.set(i, bound);
          } else {
            walk(array.get(i), depth);
          }
        }
        return;
      }
      ObjectNode object = (ObjectNode) node;
      budget.visit(level, object);
      boolean scoped = object.has("cte_map");
      if (scoped) {
        Set<String> names = new HashSet<>();
        for (JsonNode cte : object.path("cte_map").path("map")) {
          names.add(cte.path("key").asText().toLowerCase(Locale.ROOT));
        }
        cteScopes.push(names);
      }
      if ("SELECT_NODE".equals(object.path("type").asText())) {
        planFilters(object);
      }
      Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
      List<Map.Entry<String, JsonNode>> replaced = new ArrayList<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> field = fields.next();
        JsonNode bound = bindRelation(field.getValue(), depth);
        if (bound != null) {
          replaced.add(Map.entry(field.getKey(), bound));
        } else {
          walk(field.getValue(), depth);
        }
      }
      replaced.forEach(entry -> object.set(entry.getKey(), entry.getValue()));
      if (scoped) {
        cteScopes.pop();
      }
    }

    /** The bound replacement of a table reference, or null when the node is not one. */
    private JsonNode bindRelation(JsonNode node, int depth) {
      String type = node.path("type").asText();
      if (type.equals("TABLE_FUNCTION")) {
        String name = node.path("function").path("function_name").asText();
        if (GENERATORS.contains(name.toLowerCase(Locale.ROOT))
            && node.path("function").path("schema").asText().isEmpty()) {
          generates = true;
          return null;
        }
        throw refused(
            node,
            "Table function "
                + name
                + "() is not allowed: queries read catalog datasets only (space.table)");
      }
      if (!type.equals("BASE_TABLE") || isCte(node)) {
        return null;
      }
      DatasetPath path = pathOf(node);
      Table table = tableOrNull(path);
      if (table != null) {
        return bindTable(node, path, table);
      }
      View view = viewOrNull(path);
      if (view != null) {
        identities.put(path, identity(view));
        return bindView(node, path, view, depth);
      }
      throw missing(node, path);
    }

    private boolean isCte(JsonNode node) {
      if (!node.path("schema_name").asText().isEmpty()
          || !node.path("catalog_name").asText().isEmpty()) {
        return false;
      }
      String name = node.path("table_name").asText().toLowerCase(Locale.ROOT);
      return cteScopes.stream().anyMatch(scope -> scope.contains(name));
    }

    private JsonNode bindTable(JsonNode node, DatasetPath path, Table table) {
      Snapshot snapshot = snapshotFor(node, path, table);
      Expression filter = filters.getOrDefault(node, Expressions.alwaysTrue());
      boolean evolved = table.schemas().size() > 1;
      String key =
          table.uuid()
              + "@"
              + (snapshot == null ? -1 : snapshot.snapshotId())
              + "/"
              + table.schema().schemaId()
              + "/"
              + evolved
              + "/"
              + filter;
      ScanCache.Entry planned =
          scans.get(
              key,
              k -> {
                TableScan scan = TableScan.plan(table, snapshot, filter);
                return new ScanCache.Entry(
                    scan, relation(scan.relationSql(lake.warehouse(), evolved)));
              });
      TableScan scan = planned.scan();
      scanBytes += scan.bytes();
      files.addAll(scan.files());
      reads.merge(
          path + "@" + scan.snapshotId(),
          new DatasetRead(
              path,
              DatasetRead.Kind.TABLE,
              scan.snapshotId(),
              scan.files().size(),
              scan.totalFiles()),
          (a, b) ->
              new DatasetRead(
                  path, a.kind(), a.snapshotId(), a.filesRead() + b.filesRead(), a.totalFiles()));
      return aliased(planned.relation().deepCopy(), node, path);
    }

    private JsonNode bindView(JsonNode node, DatasetPath path, View view, int depth) {
      if (!node.path("at_clause").isNull() && !node.path("at_clause").isMissingNode()) {
        throw refused(node, "Time travel (AT) applies to tables; " + path + " is a view");
      }
      reads.putIfAbsent(path.toString(), new DatasetRead(path, DatasetRead.Kind.VIEW, -1, 0, 0));
      String sql = view.sqlFor(DIALECT).sql();
      JsonNode tree = engine.parseQuery(connection, sql, sql, 0);
      JsonNode body = bindStatement(tree, depth + 1, path);
      ObjectNode wrapper = relation("SELECT 1");
      ((ObjectNode) wrapper.get("subquery")).set("node", body);
      return aliased(wrapper, node, path);
    }

    /** The SUBQUERY parse-tree node of {@code SELECT * FROM (sql)}. */
    private ObjectNode relation(String sql) {
      String wrapped = "SELECT * FROM (" + sql + ") AS relation";
      JsonNode tree = engine.parseQuery(connection, wrapped, wrapped, 0);
      return (ObjectNode) tree.get("statements").get(0).get("node").get("from_table");
    }

    /** A relation node that takes the reference's place: its alias, column aliases and sample. */
    private JsonNode aliased(ObjectNode relation, JsonNode reference, DatasetPath path) {
      String alias = reference.path("alias").asText();
      relation.put("alias", alias.isEmpty() ? path.name() : alias);
      relation.set("column_name_alias", reference.get("column_name_alias"));
      relation.set("sample", reference.get("sample"));
      return relation;
    }

    private Snapshot snapshotFor(JsonNode node, DatasetPath path, Table table) {
      JsonNode at = node.path("at_clause");
      if (at.isNull() || at.isMissingNode()) {
        return table.currentSnapshot();
      }
      JsonNode value = at.path("expr");
      if ("CAST".equals(value.path("class").asText())) {
        value = value.get("child");
      }
      String text = value.path("literal").path("text").asText();
      String unit = at.path("unit").asText().toUpperCase(Locale.ROOT);
      try {
        long snapshotId =
            unit.equals("VERSION")
                ? Long.parseLong(text)
                : SnapshotUtil.snapshotIdAsOfTime(table, epochMillis(text));
        Snapshot snapshot = table.snapshot(snapshotId);
        if (snapshot == null) {
          throw refused(node, "Table " + path + " has no snapshot " + snapshotId);
        }
        return snapshot;
      } catch (NumberFormatException | java.time.DateTimeException e) {
        throw refused(
            node,
            "Write time travel as AT (VERSION => snapshot_id) or AT (TIMESTAMP => '2026-01-31"
                + " 12:00:00'), not "
                + text);
      } catch (IllegalArgumentException e) {
        throw refused(node, "Table " + path + " has no snapshot at or before " + text);
      }
    }

    private static long epochMillis(String text) {
      return LocalDateTime.parse(text.trim().replace(' ', 'T'))
          .toInstant(ZoneOffset.UTC)
          .toEpochMilli();
    }

    /** Pushes the WHERE conjuncts of a SELECT down to the tables named directly in its FROM. */
    private void planFilters(ObjectNode select) {
      List<JsonNode> references = new ArrayList<>();
      collectReferences(select.get("from_table"), references);
      Map<JsonNode, Table> tables = new IdentityHashMap<>();
      for (JsonNode reference : references) {
        if (!isCte(reference)) {
          Table table = tableOrNull(pathOf(reference));
          if (table != null) {
            tables.put(reference, table);
          }
        }
      }
      if (tables.isEmpty()) {
        return;
      }
      for (JsonNode conjunct : Predicates.conjuncts(select.get("where_clause"))) {
        for (Map.Entry<JsonNode, Table> entry : tables.entrySet()) {
          Expression expression =
              Predicates.translate(conjunct, columnsOf(entry.getKey(), entry.getValue(), tables));
          if (expression != null) {
            filters.merge(entry.getKey(), expression, Expressions::and);
          }
        }
      }
    }

    private void collectReferences(JsonNode from, List<JsonNode> out) {
      if (from == null) {
        return;
      }
      String type = from.path("type").asText();
      if (type.equals("BASE_TABLE")) {
        out.add(from);
      } else if (type.equals("JOIN")) {
        // only inner joins: a filter on the null-supplying side of an outer join must not prune it
        if (from.path("join_type").asText("INNER").equals("INNER")) {
          collectReferences(from.get("left"), out);
          collectReferences(from.get("right"), out);
        }
      }
    }

    /** Column lookup for one table among the tables of a FROM: a bare name must be unambiguous. */
    private Predicates.Columns columnsOf(
        JsonNode reference, Table table, Map<JsonNode, Table> all) {
      String alias = reference.path("alias").asText();
      String name = alias.isEmpty() ? reference.path("table_name").asText() : alias;
      return new Predicates.Columns() {
        @Override
        public Type type(JsonNode columnRef) {
          JsonNode names = columnRef.path("column_names");
          if (names.size() == 2 && !names.get(0).asText().equalsIgnoreCase(name)) {
            return null;
          }
          if (names.size() > 2) {
            return null;
          }
          String column = names.get(names.size() - 1).asText();
          if (names.size() == 1
              && all.values().stream()
                      .filter(t -> t.schema().caseInsensitiveFindField(column) != null)
                      .count()
                  != 1) {
            return null;
          }
          Types.NestedField field = table.schema().caseInsensitiveFindField(column);
          return field == null || !isPartitionSource(table, field) ? null : field.type();
        }

        @Override
        public String name(JsonNode columnRef) {
          JsonNode names = columnRef.path("column_names");
          return table
              .schema()
              .caseInsensitiveFindField(names.get(names.size() - 1).asText())
              .name();
        }
      };
    }

    /**
     * Pruning uses only predicates on partition source columns. DuckDB skips row groups by their
     * statistics itself; dropping whole files by statistics as well saves little and skews its
     * cardinality estimates (TPC-H Q21 ran twice as long on 4 of 7 orders files as on all 7).
     */
    private boolean isPartitionSource(Table table, Types.NestedField field) {
      return table.spec().fields().stream().anyMatch(f -> f.sourceId() == field.fieldId());
    }

    private DatasetPath pathOf(JsonNode node) {
      return References.pathOf(node);
    }

    /**
     * The table a path names; resolved once per statement, so every reference sees one snapshot.
     */
    private Table tableOrNull(DatasetPath path) {
      return tables
          .computeIfAbsent(
              path,
              name -> {
                Optional<Table> table = lookUpTable(name);
                // taken before the table is read: a plan is never older than its identities
                identities.put(name, table.map(QueryPlanner::identity).orElse(PlanCache.ABSENT));
                return table;
              })
          .orElse(null);
    }

    private DataflowException missing(JsonNode node, DatasetPath path) {
      if (currentView != null) {
        return new DataflowException(
            ErrorCode.INVALID_VIEW,
            "View " + currentView + " cannot run: its upstream " + path + " does not exist");
      }
      if (path.parts().size() == 1 && (path.name().contains("/") || path.name().contains("."))) {
        return refused(node, "File paths are not allowed: queries read catalog datasets only");
      }
      return located(
          ErrorCode.NOT_FOUND,
          node,
          "Table or view "
              + path
              + " does not exist"
              + (path.parts().size() == 1 ? " (name datasets by their path: space.name)" : ""));
    }

    private DataflowException refused(JsonNode node, String message) {
      return located(ErrorCode.NOT_ALLOWED, node, message);
    }

    private DataflowException located(ErrorCode code, JsonNode node, String message) {
      if (currentView != null || !node.has("query_location")) {
        return new DataflowException(code, message);
      }
      Position position = Position.of(source, offset + node.path("query_location").asInt());
      return new DataflowException(code, message, position.line(), position.column(), null);
    }
  }
}
