package dev.dataflow.sql.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.plan.References;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.view.View;

/**
 * Where a dataset's data comes from and where it goes: the datasets upstream of it (what a view
 * names, and what those name in turn), the views downstream of it, and for a view, which upstream
 * columns each of its output columns is computed from. Depth 1 is a direct neighbour.
 */
public record Lineage(List<Node> upstream, List<Node> downstream, List<ColumnLineage> columns) {
  public Lineage {
    upstream = List.copyOf(upstream);
    downstream = List.copyOf(downstream);
    columns = List.copyOf(columns);
  }

  /** A dataset in the lineage graph; {@code type} is TABLE, VIEW or MISSING (named but absent). */
  public record Node(String path, String type, int depth) {}

  /** The upstream columns one output column of a view is computed from (empty for constants). */
  public record ColumnLineage(String column, List<ColumnSource> sources) {}

  public record ColumnSource(String path, String column) {}

  /** A catalog dataset as column lineage sees it: its catalog path and its column names. */
  record Dataset(DatasetPath path, List<String> columns) {
    String column(String name) {
      return columns.stream().filter(c -> c.equalsIgnoreCase(name)).findFirst().orElse(null);
    }
  }

  /**
   * The column lineage of a view's parse tree: each output column of the top-level SELECT mapped to
   * the columns its expression reads. A column is left out when any reference in it cannot be tied
   * to exactly one upstream dataset (a star, a subquery, a lambda, a CTE or subquery in FROM, an
   * ambiguous bare name): lineage shown must be certain, so it is never guessed.
   *
   * @param outputs the view's column names, in order
   * @param datasets resolves a path as written in the SQL to its dataset, or null when there is
   *     none
   */
  static List<ColumnLineage> columnsOf(
      JsonNode tree, List<String> outputs, Function<DatasetPath, Dataset> datasets) {
    JsonNode select = tree.path("statements").path(0).path("node");
    if (!"SELECT_NODE".equals(select.path("type").asText())) {
      return List.of(); // a UNION's columns come from several branches: not mapped
    }
    Scope scope = new Scope(cteNames(select), datasets);
    scope.collect(select.path("from_table"));
    JsonNode list = select.path("select_list");
    boolean positional = !hasStar(list) && list.size() == outputs.size();
    List<ColumnLineage> columns = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode expression = list.get(i);
      String name = positional ? outputs.get(i) : explicitName(expression);
      List<ColumnSource> sources = name == null ? null : scope.sources(expression);
      if (sources != null) {
        columns.add(new ColumnLineage(name, sources));
      }
    }
    return columns;
  }

  private static Set<String> cteNames(JsonNode select) {
    Set<String> names = new HashSet<>();
    for (JsonNode cte : select.path("cte_map").path("map")) {
      names.add(cte.path("key").asText().toLowerCase(Locale.ROOT));
    }
    return names;
  }

  private static boolean hasStar(JsonNode list) {
    for (JsonNode expression : list) {
      if ("STAR".equals(expression.path("class").asText())) {
        return true;
      }
    }
    return false;
  }

  /** The output name an expression certainly has when positions cannot be trusted. */
  private static String explicitName(JsonNode expression) {
    String alias = expression.path("alias").asText();
    if (!alias.isEmpty()) {
      return alias;
    }
    JsonNode names = expression.path("column_names");
    boolean columnRef = "COLUMN_REF".equals(expression.path("class").asText()) && names.size() > 0;
    return columnRef ? names.get(names.size() - 1).asText() : null;
  }

  /** A relation of the FROM clause: a dataset, or opaque (subquery, CTE, table function). */
  private record Relation(String alias, boolean aliased, DatasetPath written, Dataset dataset) {
    boolean answersTo(List<String> qualifier) {
      if (qualifier.size() == 1 && alias.equalsIgnoreCase(qualifier.get(0))) {
        return true;
      }
      if (aliased || written == null || written.parts().size() < qualifier.size()) {
        return false;
      }
      List<String> tail =
          written
              .parts()
              .subList(written.parts().size() - qualifier.size(), written.parts().size());
      for (int i = 0; i < tail.size(); i++) {
        if (!tail.get(i).equalsIgnoreCase(qualifier.get(i))) {
          return false;
        }
      }
      return true;
    }
  }

  /** The relations a top-level SELECT reads and how its column references resolve against them. */
  private static final class Scope {
    /** Expressions whose column references may belong to another scope or to no dataset. */
    private static final Set<String> UNCERTAIN =
        Set.of("SUBQUERY", "LAMBDA", "LAMBDA_REF", "STAR", "POSITIONAL_REFERENCE");

    private final Set<String> ctes;
    private final Function<DatasetPath, Dataset> datasets;
    private final List<Relation> relations = new ArrayList<>();

    Scope(Set<String> ctes, Function<DatasetPath, Dataset> datasets) {
      this.ctes = ctes;
      this.datasets = datasets;
    }

    void collect(JsonNode from) {
      String type = from.path("type").asText();
      String alias = from.path("alias").asText();
      if (type.equals("JOIN")) {
        collect(from.path("left"));
        collect(from.path("right"));
      } else if (type.equals("BASE_TABLE")) {
        DatasetPath path = References.pathOf(from);
        boolean cte =
            path.parts().size() == 1 && ctes.contains(path.name().toLowerCase(Locale.ROOT));
        Dataset dataset = cte ? null : datasets.apply(path);
        String name = alias.isEmpty() ? path.name() : alias;
        relations.add(new Relation(name, !alias.isEmpty(), path, dataset));
      } else if (!type.equals("EMPTY") && !from.isMissingNode() && !from.isNull()) {
        relations.add(new Relation(alias, true, null, null));
      }
    }

    /** The distinct sources of an expression, or null when one of its references is uncertain. */
    List<ColumnSource> sources(JsonNode expression) {
      List<ColumnSource> sources = new ArrayList<>();
      return collectSources(expression, sources) ? sources.stream().distinct().toList() : null;
    }

    private boolean collectSources(JsonNode node, List<ColumnSource> out) {
      if (node.isArray()) {
        for (JsonNode child : node) {
          if (!collectSources(child, out)) {
            return false;
          }
        }
        return true;
      }
      if (!node.isObject()) {
        return true;
      }
      String kind = node.path("class").asText();
      if (UNCERTAIN.contains(kind)) {
        return false;
      }
      if (kind.equals("COLUMN_REF")) {
        ColumnSource source = resolve(node.path("column_names"));
        return source != null && out.add(source);
      }
      for (JsonNode child : node) {
        if (!collectSources(child, out)) {
          return false;
        }
      }
      return true;
    }

    private ColumnSource resolve(JsonNode names) {
      List<String> parts = new ArrayList<>();
      names.forEach(name -> parts.add(name.asText()));
      if (parts.isEmpty()) {
        return null;
      }
      String column = parts.get(parts.size() - 1);
      List<String> qualifier = parts.subList(0, parts.size() - 1);
      List<Relation> candidates =
          qualifier.isEmpty()
              ? relations
              : relations.stream().filter(r -> r.answersTo(qualifier)).toList();
      if (candidates.stream().anyMatch(r -> r.dataset() == null)) {
        return null; // an opaque relation might hold the column
      }
      List<Relation> holders =
          candidates.stream().filter(r -> r.dataset().column(column) != null).toList();
      if (holders.size() != 1) {
        return null;
      }
      Dataset dataset = holders.get(0).dataset();
      return new ColumnSource(dataset.path().toString(), dataset.column(column));
    }
  }

  /**
   * The whole catalog's dataset graph, read once per lineage request: which datasets exist and
   * which datasets each view names. Edges point both ways so one walk finds upstream or downstream.
   */
  static final class Graph {
    private final Map<DatasetPath, String> types = new HashMap<>();
    private final Map<DatasetPath, List<DatasetPath>> upstream = new HashMap<>();
    private final Map<DatasetPath, List<DatasetPath>> downstream = new HashMap<>();

    private Graph() {}

    static Graph of(Lake lake) {
      Graph graph = new Graph();
      Map<DatasetPath, View> views = new LinkedHashMap<>();
      for (Namespace space : lake.catalog().listNamespaces(Namespace.empty())) {
        graph.read(lake, space, views);
      }
      views.forEach(graph::link);
      return graph;
    }

    private void read(Lake lake, Namespace namespace, Map<DatasetPath, View> views) {
      for (TableIdentifier table : lake.catalog().listTables(namespace)) {
        types.put(Lake.path(table), CatalogBrowser.TABLE);
      }
      for (TableIdentifier identifier : lake.catalog().listViews(namespace)) {
        try {
          views.put(Lake.path(identifier), lake.catalog().loadView(identifier));
          types.put(Lake.path(identifier), CatalogBrowser.VIEW);
        } catch (NoSuchViewException e) {
          // dropped while we listed: not part of the graph
        }
      }
      for (Namespace child : lake.catalog().listNamespaces(namespace)) {
        read(lake, child, views);
      }
    }

    private void link(DatasetPath path, View view) {
      for (DatasetPath named : Views.upstream(view)) {
        DatasetPath target = resolve(named);
        List<DatasetPath> ups = upstream.computeIfAbsent(path, p -> new ArrayList<>());
        if (!ups.contains(target)) {
          ups.add(target);
          downstream.computeIfAbsent(target, p -> new ArrayList<>()).add(path);
        }
      }
    }

    private DatasetPath resolve(DatasetPath named) {
      if (types.containsKey(named)) {
        return named;
      }
      DatasetPath lower = CatalogBrowser.lowerCase(named);
      return types.containsKey(lower) ? lower : named;
    }

    List<Node> upstreamOf(DatasetPath path) {
      return walk(path, upstream);
    }

    List<Node> downstreamOf(DatasetPath path) {
      return walk(path, downstream);
    }

    /** Breadth first, so each dataset appears once, at its shortest distance. */
    private List<Node> walk(DatasetPath start, Map<DatasetPath, List<DatasetPath>> edges) {
      Map<DatasetPath, Integer> depths = new LinkedHashMap<>();
      depths.put(start, 0);
      Deque<DatasetPath> queue = new ArrayDeque<>(List.of(start));
      while (!queue.isEmpty()) {
        DatasetPath current = queue.poll();
        for (DatasetPath next : edges.getOrDefault(current, List.of())) {
          if (!depths.containsKey(next)) {
            depths.put(next, depths.get(current) + 1);
            queue.add(next);
          }
        }
      }
      depths.remove(start);
      List<Node> nodes = new ArrayList<>();
      depths.forEach(
          (path, depth) ->
              nodes.add(
                  new Node(
                      path.toString(), types.getOrDefault(path, CatalogBrowser.MISSING), depth)));
      return nodes;
    }
  }
}
