package dev.dataflow.sql.dialect;

import dev.dataflow.api.DatasetPath;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.JoinConditionType;
import org.apache.calcite.sql.JoinType;
import org.apache.calcite.sql.SqlBasicCall;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlJoin;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlOrderBy;
import org.apache.calcite.sql.SqlSelect;
import org.apache.calcite.sql.SqlSelectKeyword;
import org.apache.calcite.sql.SqlWith;
import org.apache.calcite.sql.SqlWithItem;
import org.apache.calcite.sql.dialect.DuckDBSqlDialect;
import org.apache.iceberg.Schema;

/**
 * Rewrites a parsed DuckDB query into Spark's form, clause by clause: only what is named here is
 * translated, anything else refuses. Dataset names become the catalog's own spelling of their path,
 * which Spark resolves in the catalog the view was loaded from (the view has no default catalog);
 * CTE names stay as they are. Expressions are {@link SparkExpressions}' part.
 */
final class SparkRewriter {
  /** Spark resolves a first name part that names one of its catalogs in that catalog. */
  private static final String SESSION_CATALOG = "spark_catalog";

  private final SparkTranslation.Context context;
  private final SparkExpressions expressions = new SparkExpressions(this);
  private final Deque<Set<String>> ctes = new ArrayDeque<>();
  // the relations each SELECT being rewritten reads, by alias (lower case): their columns, or null
  private final Deque<Map<String, Schema>> scopes = new ArrayDeque<>();

  SparkRewriter(SparkTranslation.Context context) {
    this.context = context;
  }

  SqlNode query(SqlNode node) {
    return switch (node.getKind()) {
      case SELECT -> select((SqlSelect) node);
      case ORDER_BY -> orderBy((SqlOrderBy) node);
      case WITH -> with((SqlWith) node);
      case UNION, INTERSECT, EXCEPT -> setOperation((SqlBasicCall) node);
      default -> throw new Refusal(text(node) + " is not a query the translation knows");
    };
  }

  /** The relations of the innermost SELECT, by alias; a null value has unknown columns. */
  Map<String, Schema> scope() {
    return scopes.isEmpty() ? Map.of() : scopes.peek();
  }

  static String text(SqlNode node) {
    return node.toSqlString(DuckDBSqlDialect.DEFAULT).getSql().replaceAll("\\s+", " ");
  }

  private SqlNode select(SqlSelect select) {
    if (select.getHints() != null && !select.getHints().isEmpty()) {
      throw new Refusal("Hints are not translated");
    }
    if (select.getQualify() != null) {
      throw new Refusal("QUALIFY has no Spark form");
    }
    for (SqlNode keyword : (SqlNodeList) select.getOperandList().get(0)) {
      Object value = ((SqlLiteral) keyword).getValue();
      if (value != SqlSelectKeyword.DISTINCT && value != SqlSelectKeyword.ALL) {
        throw new Refusal("SELECT " + value + " is not translated");
      }
    }
    Map<String, Schema> scope = new HashMap<>();
    select.setFrom(select.getFrom() == null ? null : from(select.getFrom(), scope));
    scopes.push(scope);
    try {
      select.setSelectList(expressions.list(select.getSelectList()));
      select.setWhere(expressions.rewrite(select.getWhere()));
      select.setGroupBy(expressions.groupBy(select.getGroup()));
      select.setHaving(expressions.rewrite(select.getHaving()));
      expressions.windows(select.getWindowList());
      select.setOrderBy(expressions.orderList(select.getOrderList()));
      select.setOffset(count(select.getOffset()));
      select.setFetch(count(select.getFetch()));
      return select;
    } finally {
      scopes.pop();
    }
  }

  private SqlNode orderBy(SqlOrderBy orderBy) {
    return new SqlOrderBy(
        orderBy.getParserPosition(),
        query(orderBy.query),
        expressions.orderList(orderBy.orderList),
        count(orderBy.offset),
        count(orderBy.fetch));
  }

  private SqlNode with(SqlWith with) {
    Set<String> names = new HashSet<>();
    ctes.push(names);
    try {
      for (SqlNode node : with.withList) {
        SqlWithItem item = (SqlWithItem) node;
        if (item.recursive.booleanValue()) {
          throw new Refusal("WITH RECURSIVE is not translated");
        }
        item.query = query(item.query);
        // a CTE is seen by the CTEs after it and by the body
        names.add(lowerCase(item.name.getSimple()));
      }
      with.body = query(with.body);
      return with;
    } finally {
      ctes.pop();
    }
  }

  private SqlNode setOperation(SqlBasicCall call) {
    for (int i = 0; i < call.operandCount(); i++) {
      call.setOperand(i, query(call.operand(i)));
    }
    return call;
  }

  /** A FROM item; each relation it names is added to {@code scope}. */
  private SqlNode from(SqlNode node, Map<String, Schema> scope) {
    if (node instanceof SqlIdentifier name) {
      return table(name, lowerCase(last(name)), scope);
    }
    if (node instanceof SqlJoin join) {
      return join(join, scope);
    }
    if (node.getKind() == SqlKind.AS) {
      return aliased((SqlCall) node, scope);
    }
    if (isQuery(node)) {
      return query(node);
    }
    throw new Refusal(text(node) + " in FROM is not translated (only datasets, subqueries, joins)");
  }

  private SqlNode aliased(SqlCall as, Map<String, Schema> scope) {
    SqlNode relation = as.operand(0);
    String alias = lowerCase(((SqlIdentifier) as.operand(1)).getSimple());
    boolean renamesColumns = as.operandCount() > 2;
    if (relation instanceof SqlIdentifier name) {
      as.setOperand(0, table(name, alias, scope));
      if (renamesColumns) {
        scope.put(alias, null);
      }
    } else if (isQuery(relation)) {
      as.setOperand(0, query(relation));
      scope.put(alias, null);
    } else {
      throw new Refusal(text(relation) + " in FROM is not translated");
    }
    return as;
  }

  private SqlNode join(SqlJoin join, Map<String, Schema> scope) {
    if (join.isNatural()) {
      throw new Refusal("NATURAL JOIN is not translated: name its columns with USING");
    }
    JoinType type = join.getJoinType();
    if (!Set.of(JoinType.INNER, JoinType.LEFT, JoinType.RIGHT, JoinType.FULL, JoinType.CROSS)
            .contains(type)
        && type != JoinType.COMMA) {
      throw new Refusal(type + " JOIN is not translated");
    }
    join.setLeft(from(join.getLeft(), scope));
    join.setRight(from(join.getRight(), scope));
    if (join.getCondition() != null && join.getConditionType() == JoinConditionType.ON) {
      scopes.push(scope);
      try {
        join.setOperand(5, expressions.rewrite(join.getCondition()));
      } finally {
        scopes.pop();
      }
    }
    return join;
  }

  /** A dataset (or CTE) name, written as the catalog spells the dataset's path. */
  private SqlNode table(SqlIdentifier name, String alias, Map<String, Schema> scope) {
    if (name.names.size() == 1 && ctes.stream().anyMatch(s -> s.contains(lowerCase(last(name))))) {
      scope.put(alias, null);
      return name;
    }
    DatasetPath dataset = context.resolve(new DatasetPath(name.names));
    if (dataset == null) {
      throw new Refusal(String.join(".", name.names) + " is not a dataset in the catalog");
    }
    if (dataset.parts().get(0).equalsIgnoreCase(SESSION_CATALOG)) {
      throw new Refusal("Spark would read space " + dataset.parts().get(0) + " as its own catalog");
    }
    scope.put(alias, context.schema(dataset));
    return new SqlIdentifier(dataset.parts(), name.getParserPosition());
  }

  /** LIMIT and OFFSET: an integer literal (Spark takes nothing else). */
  private static SqlNode count(SqlNode node) {
    if (node != null && !(node instanceof SqlNumericLiteral number && number.isInteger())) {
      throw new Refusal("LIMIT and OFFSET must be integer literals, not " + text(node));
    }
    return node;
  }

  private static boolean isQuery(SqlNode node) {
    return node.getKind().belongsTo(SqlKind.QUERY);
  }

  private static String last(SqlIdentifier name) {
    List<String> names = name.names;
    return names.get(names.size() - 1);
  }

  private static String lowerCase(String name) {
    return name.toLowerCase(Locale.ROOT);
  }
}
