package dev.dataflow.sql.plan;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DatasetPath;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The dataset names a parsed query mentions itself, without resolving or expanding them. */
public final class References {
  private References() {}

  /** Every table reference of a DuckDB parse tree that is not a CTE, in order of appearance. */
  public static List<DatasetPath> of(JsonNode tree) {
    List<DatasetPath> out = new ArrayList<>();
    collect(tree, new HashSet<>(), out);
    return out;
  }

  private static void collect(JsonNode node, Set<String> ctes, List<DatasetPath> out) {
    if (node.isArray()) {
      node.forEach(child -> collect(child, ctes, out));
      return;
    }
    if (!node.isObject()) {
      return;
    }
    Set<String> scope = ctes;
    if (node.has("cte_map")) {
      scope = new HashSet<>(ctes);
      for (JsonNode cte : node.path("cte_map").path("map")) {
        scope.add(cte.path("key").asText().toLowerCase(Locale.ROOT));
      }
    }
    if ("BASE_TABLE".equals(node.path("type").asText())) {
      DatasetPath path = pathOf(node);
      if (path.parts().size() > 1 || !scope.contains(path.name().toLowerCase(Locale.ROOT))) {
        out.add(path);
      }
      return;
    }
    for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      collect(field.getValue(), scope, out);
    }
  }

  /** The catalog path a BASE_TABLE node names. */
  public static DatasetPath pathOf(JsonNode node) {
    List<String> parts = new ArrayList<>();
    for (JsonNode part : node.path("qualified_name").path("path")) {
      parts.add(part.asText());
    }
    if (parts.isEmpty()) {
      for (String field : List.of("catalog_name", "schema_name", "table_name")) {
        String part = node.path(field).asText();
        if (!part.isEmpty()) {
          parts.add(part);
        }
      }
    }
    return new DatasetPath(parts);
  }
}
