package dev.dataflow.sql.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.expressions.Expression;
import org.apache.iceberg.expressions.Expressions;
import org.apache.iceberg.expressions.Literal;
import org.apache.iceberg.types.Type;

/**
 * Turns simple WHERE conjuncts ({@code column op constant}, BETWEEN, IN) into Iceberg expressions,
 * so the scan skips partitions and files. Pruning only narrows what is read; DuckDB still applies
 * every predicate, so a conjunct that cannot be translated exactly is left out, never approximated.
 */
final class Predicates {
  private static final Map<String, Expression.Operation> COMPARISONS =
      Map.of(
          "COMPARE_EQUAL", Expression.Operation.EQ,
          "COMPARE_LESSTHAN", Expression.Operation.LT,
          "COMPARE_LESSTHANOREQUALTO", Expression.Operation.LT_EQ,
          "COMPARE_GREATERTHAN", Expression.Operation.GT,
          "COMPARE_GREATERTHANOREQUALTO", Expression.Operation.GT_EQ);

  /** Resolves a column reference to the column's type in the table being pruned, or null. */
  interface Columns {
    Type type(JsonNode columnRef);

    String name(JsonNode columnRef);
  }

  private Predicates() {}

  static List<JsonNode> conjuncts(JsonNode where) {
    List<JsonNode> out = new ArrayList<>();
    if (where == null || where.isNull()) {
      return out;
    }
    if ("CONJUNCTION_AND".equals(where.path("type").asText())) {
      for (JsonNode child : where.path("children")) {
        out.addAll(conjuncts(child));
      }
    } else {
      out.add(where);
    }
    return out;
  }

  /** The Iceberg form of a conjunct over the given table's columns, or null. */
  static Expression translate(JsonNode conjunct, Columns columns) {
    String type = conjunct.path("type").asText();
    if (COMPARISONS.containsKey(type)) {
      return comparison(
          COMPARISONS.get(type), conjunct.get("left"), conjunct.get("right"), columns);
    }
    if (type.equals("COMPARE_BETWEEN")) {
      Expression lower =
          comparison(
              Expression.Operation.GT_EQ, conjunct.get("input"), conjunct.get("lower"), columns);
      Expression upper =
          comparison(
              Expression.Operation.LT_EQ, conjunct.get("input"), conjunct.get("upper"), columns);
      return lower == null || upper == null ? null : Expressions.and(lower, upper);
    }
    if (type.equals("COMPARE_IN")) {
      return in(conjunct.path("children"), columns);
    }
    return null;
  }

  private static Expression in(JsonNode children, Columns columns) {
    JsonNode column = children.get(0);
    Type columnType = isColumn(column) ? columns.type(column) : null;
    if (columnType == null) {
      return null;
    }
    Expression any = Expressions.alwaysFalse();
    for (int i = 1; i < children.size(); i++) {
      Literal<?> value = literal(children.get(i), columnType);
      if (value == null) {
        return null;
      }
      any =
          Expressions.or(
              any, Expressions.predicate(Expression.Operation.EQ, columns.name(column), value));
    }
    return any;
  }

  private static Expression comparison(
      Expression.Operation op, JsonNode left, JsonNode right, Columns columns) {
    if (!isColumn(left) && isColumn(right)) {
      return comparison(op.flipLR(), right, left, columns);
    }
    Type columnType = isColumn(left) ? columns.type(left) : null;
    Literal<?> value = columnType == null ? null : literal(right, columnType);
    return value == null ? null : Expressions.predicate(op, columns.name(left), value);
  }

  private static boolean isColumn(JsonNode node) {
    return node != null && "COLUMN_REF".equals(node.path("class").asText());
  }

  /** A constant (or a cast of one) converted exactly to the column's type, or null. */
  private static Literal<?> literal(JsonNode node, Type columnType) {
    if ("CAST".equals(node.path("class").asText())) {
      node = node.get("child");
    }
    if (!"CONSTANT".equals(node.path("class").asText())) {
      return null;
    }
    String kind = node.path("literal").path("kind").asText();
    String text = node.path("literal").path("text").asText();
    try {
      return switch (columnType.typeId()) {
        case INTEGER, LONG ->
            kind.equals("INTEGER") || kind.equals("BIGINT")
                ? Literal.of(Long.parseLong(text)).to(columnType)
                : null;
        case DECIMAL -> exactDecimal(kind, text, columnType);
        case DATE, TIMESTAMP, STRING ->
            kind.equals("STRING") ? Literal.of(text).to(columnType) : null;
        default -> null;
      };
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Literal<?> exactDecimal(String kind, String text, Type columnType) {
    if (kind.equals("STRING")) {
      return null;
    }
    BigDecimal value = new BigDecimal(text);
    int scale = ((org.apache.iceberg.types.Types.DecimalType) columnType).scale();
    if (value.stripTrailingZeros().scale() > scale) {
      return null;
    }
    return Literal.of(value.setScale(scale)).to(columnType);
  }
}
