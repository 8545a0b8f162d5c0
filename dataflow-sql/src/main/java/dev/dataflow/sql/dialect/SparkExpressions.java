package dev.dataflow.sql.dialect;

import dev.dataflow.sql.dialect.SparkCasts.Kind;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlFunction;
import org.apache.calcite.sql.SqlFunctionCategory;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNodeList;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlStarExclude;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlUnknownLiteral;
import org.apache.calcite.sql.SqlWindow;
import org.apache.calcite.sql.fun.SqlBetweenOperator;
import org.apache.calcite.sql.fun.SqlLikeOperator;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * The expressions with a Spark form of the same meaning (under Spark's default ANSI mode, a DuckDB
 * error stays an error): everything else refuses. Operands are rewritten in place.
 */
final class SparkExpressions {
  /** Operators that read the same in both dialects once their operands are translated. */
  private static final Set<SqlKind> SAME =
      Set.of(
          SqlKind.AND,
          SqlKind.OR,
          SqlKind.NOT,
          SqlKind.EQUALS,
          SqlKind.NOT_EQUALS,
          SqlKind.LESS_THAN,
          SqlKind.LESS_THAN_OR_EQUAL,
          SqlKind.GREATER_THAN,
          SqlKind.GREATER_THAN_OR_EQUAL,
          SqlKind.IS_NULL,
          SqlKind.IS_NOT_NULL,
          SqlKind.IS_TRUE,
          SqlKind.IS_FALSE,
          SqlKind.IS_NOT_TRUE,
          SqlKind.IS_NOT_FALSE,
          SqlKind.IS_DISTINCT_FROM,
          SqlKind.IS_NOT_DISTINCT_FROM,
          SqlKind.IN,
          SqlKind.NOT_IN,
          SqlKind.EXISTS,
          SqlKind.SCALAR_QUERY,
          SqlKind.PLUS,
          SqlKind.MINUS,
          SqlKind.TIMES,
          // DuckDB and Spark (ANSI) both fail on a zero divisor; both keep the dividend's sign
          SqlKind.MOD,
          SqlKind.MINUS_PREFIX,
          SqlKind.PLUS_PREFIX,
          SqlKind.CASE,
          SqlKind.COALESCE,
          SqlKind.NULLIF,
          SqlKind.FILTER,
          SqlKind.DESCENDING,
          SqlKind.NULLS_FIRST,
          SqlKind.NULLS_LAST);

  /**
   * Functions with the same name, arguments and results in both (Spark's builtins: a view's
   * function that is not one would be looked up in the view's own namespace). {@code lower} and
   * {@code upper} differ only for the few characters whose case changes their length (ß, İ).
   */
  private static final Set<String> FUNCTIONS =
      Set.of(
          "count",
          "sum",
          "avg",
          "min",
          "max",
          "row_number",
          "rank",
          "dense_rank",
          "percent_rank",
          "cume_dist",
          "ntile",
          "lag",
          "lead",
          "first_value",
          "last_value",
          "coalesce",
          "nullif",
          "lower",
          "upper",
          "length",
          "abs");

  private final SparkRewriter queries;

  SparkExpressions(SparkRewriter queries) {
    this.queries = queries;
  }

  SqlNodeList list(SqlNodeList list) {
    if (list != null) {
      for (int i = 0; i < list.size(); i++) {
        list.set(i, rewrite(list.get(i)));
      }
    }
    return list;
  }

  SqlNodeList groupBy(SqlNodeList groupBy) {
    if (groupBy != null) {
      for (SqlNode item : groupBy) {
        if (Set.of(SqlKind.ROLLUP, SqlKind.CUBE, SqlKind.GROUPING_SETS).contains(item.getKind())) {
          throw new Refusal("GROUP BY " + SparkRewriter.text(item) + " is not translated");
        }
      }
    }
    return list(groupBy);
  }

  /** DuckDB sorts NULLs last both ways; Spark first when ascending: each key says it. */
  SqlNodeList orderList(SqlNodeList orderList) {
    if (orderList != null) {
      for (int i = 0; i < orderList.size(); i++) {
        SqlNode key = rewrite(orderList.get(i));
        boolean placed =
            key.getKind() == SqlKind.NULLS_FIRST || key.getKind() == SqlKind.NULLS_LAST;
        orderList.set(
            i, placed ? key : SqlStdOperatorTable.NULLS_LAST.createCall(SqlParserPos.ZERO, key));
      }
    }
    return orderList;
  }

  /** The WINDOW clause's named windows, rewritten in place. */
  void windows(SqlNodeList windows) {
    windows.forEach(window -> window((SqlWindow) window));
  }

  SqlNode rewrite(SqlNode node) {
    if (node == null) {
      return null;
    }
    if (node instanceof SqlIdentifier name) {
      if (name.names.size() > 2) {
        throw new Refusal(
            SparkRewriter.text(name) + ": qualify a column by its table's alias or name only");
      }
      return name;
    }
    if (node instanceof SqlLiteral literal) {
      return literal(resolved(literal));
    }
    if (node instanceof SqlNodeList list) {
      return list(list);
    }
    if (node.getKind().belongsTo(SqlKind.QUERY)) {
      return queries.query(node);
    }
    if (node instanceof SqlWindow window) {
      return window(window);
    }
    return call((SqlCall) node);
  }

  private SqlNode call(SqlCall call) {
    SqlKind kind = call.getKind();
    if (kind == SqlKind.CAST || kind == SqlKind.SAFE_CAST) {
      return SparkCasts.cast(call, rewrite(call.operand(0)), kindOf(call.operand(0)));
    }
    if (call.getOperator() instanceof SqlLikeOperator) {
      return like(call);
    }
    if (call.getOperator() instanceof SqlBetweenOperator between) {
      return between(call, between);
    }
    if (kind == SqlKind.DIVIDE) {
      return divide(call);
    }
    if (kind == SqlKind.AS) {
      call.setOperand(0, rewrite(call.operand(0)));
      return call;
    }
    if (kind == SqlKind.OVER) {
      call.setOperand(0, rewrite(call.operand(0)));
      call.setOperand(1, rewrite(call.operand(1)));
      return call;
    }
    if (call instanceof SqlStarExclude) {
      throw new Refusal("SELECT * EXCLUDE has no Spark form");
    }
    if (SAME.contains(kind) || call.getOperator() == SqlStdOperatorTable.CONCAT) {
      return operands(call);
    }
    if (call.getOperator() instanceof SqlFunction function) {
      return function(call, function);
    }
    throw new Refusal(call.getOperator().getName() + " is not translated");
  }

  /** A function of the allow-list, named as Spark names its builtin. */
  private SqlNode function(SqlCall call, SqlFunction function) {
    String name = function.getName().toLowerCase(Locale.ROOT);
    if (!FUNCTIONS.contains(name)
        || function.getSqlIdentifier() != null && function.getSqlIdentifier().names.size() > 1) {
      throw new Refusal("Function " + function.getName() + " is not translated");
    }
    operands(call);
    SqlFunction spark =
        new SqlFunction(
            name.toUpperCase(Locale.ROOT),
            SqlKind.OTHER_FUNCTION,
            null,
            null,
            null,
            SqlFunctionCategory.SYSTEM);
    return spark.createCall(
        call.getFunctionQuantifier(),
        SqlParserPos.ZERO,
        call.getOperandList().toArray(SqlNode[]::new));
  }

  private SqlCall operands(SqlCall call) {
    for (int i = 0; i < call.operandCount(); i++) {
      call.setOperand(i, rewrite(call.operand(i)));
    }
    return call;
  }

  /**
   * Spark's LIKE takes a backslash as an escape character where DuckDB's takes none: a pattern
   * without an ESCAPE clause must be a literal without a backslash.
   */
  private SqlNode like(SqlCall call) {
    if (call.getKind() != SqlKind.LIKE) {
      throw new Refusal(call.getOperator().getName() + " is not translated");
    }
    boolean escaped = call.operandCount() > 2;
    SqlNode pattern = call.operand(1);
    if (!escaped
        && !(pattern instanceof SqlCharStringLiteral text
            && !text.getValueAs(String.class).contains("\\"))) {
      throw new Refusal(
          "LIKE "
              + SparkRewriter.text(pattern)
              + ": Spark reads a backslash in a pattern as an"
              + " escape; write the pattern as a literal without one, or add ESCAPE");
    }
    return operands(call);
  }

  /** Spark has no BETWEEN ASYMMETRIC (Calcite's spelling): written out as the comparisons. */
  private SqlNode between(SqlCall call, SqlBetweenOperator between) {
    if (between.flag == SqlBetweenOperator.Flag.SYMMETRIC) {
      throw new Refusal("BETWEEN SYMMETRIC is not translated");
    }
    SqlNode value = rewrite(call.operand(0));
    SqlNode range =
        SqlStdOperatorTable.AND.createCall(
            SqlParserPos.ZERO,
            SqlStdOperatorTable.GREATER_THAN_OR_EQUAL.createCall(
                SqlParserPos.ZERO, value, rewrite(call.operand(1))),
            SqlStdOperatorTable.LESS_THAN_OR_EQUAL.createCall(
                SqlParserPos.ZERO, value, rewrite(call.operand(2))));
    return between.isNegated()
        ? SqlStdOperatorTable.NOT.createCall(SqlParserPos.ZERO, range)
        : range;
  }

  /**
   * DuckDB's / always divides as DOUBLE and yields Infinity for a zero divisor, where Spark fails
   * or yields NULL: only a divisor that is a non-zero number literal is translated, with both sides
   * cast to DOUBLE (Spark would divide decimals as decimals).
   */
  private SqlNode divide(SqlCall call) {
    SqlNode divisor = call.operand(1);
    if (!(divisor instanceof SqlNumericLiteral number) || number.signum() == 0) {
      throw new Refusal(
          "Division by "
              + SparkRewriter.text(divisor)
              + ": DuckDB yields Infinity for a zero"
              + " divisor where Spark fails; only a non-zero number literal divisor is translated");
    }
    return SqlStdOperatorTable.DIVIDE.createCall(
        SqlParserPos.ZERO,
        SparkCasts.toDouble(rewrite(call.operand(0))),
        SparkCasts.toDouble(divisor));
  }

  private SqlNode window(SqlWindow window) {
    list(window.getPartitionList());
    orderList(window.getOrderList());
    checkBound(window.getLowerBound());
    checkBound(window.getUpperBound());
    if (!SqlWindow.isExcludeNoOthers(window.getExclude())) {
      throw new Refusal("Window frame EXCLUDE is not translated");
    }
    return window;
  }

  private static void checkBound(SqlNode bound) {
    if (bound == null
        || SqlWindow.isCurrentRow(bound)
        || SqlWindow.isUnboundedPreceding(bound)
        || SqlWindow.isUnboundedFollowing(bound)
        || bound instanceof SqlCall call && call.operand(0) instanceof SqlNumericLiteral) {
      return;
    }
    throw new Refusal("Window frame bound " + SparkRewriter.text(bound) + " is not translated");
  }

  private static SqlNode literal(SqlLiteral literal) {
    boolean plainText =
        literal instanceof SqlCharStringLiteral text
            && text.getNlsString().getCharsetName() == null
            && text.getNlsString().getCollation() == null;
    boolean supported =
        literal instanceof SqlNumericLiteral
            || plainText
            || literal instanceof SqlDateLiteral
            || literal instanceof SqlTimestampLiteral
            || literal.getTypeName() == SqlTypeName.BOOLEAN
            || literal.getTypeName() == SqlTypeName.NULL;
    if (!supported) {
      throw new Refusal("The literal " + SparkRewriter.text(literal) + " is not translated");
    }
    return literal;
  }

  /**
   * Babel leaves {@code DATE '…'} and {@code TIMESTAMP '…'} untyped: typed as DuckDB reads them.
   */
  private static SqlLiteral resolved(SqlLiteral literal) {
    if (!(literal instanceof SqlUnknownLiteral unknown)) {
      return literal;
    }
    SqlTypeName type = SqlTypeName.get(unknown.tag);
    if (type != SqlTypeName.DATE && type != SqlTypeName.TIMESTAMP) {
      throw new Refusal(
          "The literal " + unknown.tag + " '" + unknown.getValue() + "' is not translated");
    }
    try {
      return unknown.resolve(type);
    } catch (RuntimeException e) {
      throw new Refusal(
          "The literal "
              + unknown.tag
              + " '"
              + unknown.getValue()
              + "' is not translated: "
              + e.getMessage());
    }
  }

  /** What DuckDB's value of an expression (before rewriting) is, where that is known here. */
  private Kind kindOf(SqlNode node) {
    if (node instanceof SqlLiteral literal) {
      return SparkCasts.kindOf(resolved(literal));
    }
    if (node.getKind() == SqlKind.MINUS_PREFIX
        && ((SqlCall) node).operand(0) instanceof SqlNumericLiteral number) {
      return SparkCasts.kindOf(number);
    }
    if (node.getKind() == SqlKind.CAST || node.getKind() == SqlKind.SAFE_CAST) {
      return SparkCasts.kindOf((SqlDataTypeSpec) ((SqlCall) node).operand(1));
    }
    return node instanceof SqlIdentifier column ? kindOf(column) : null;
  }

  private Kind kindOf(SqlIdentifier column) {
    Map<String, Schema> scope = queries.scope();
    String name = column.names.get(column.names.size() - 1);
    Types.NestedField field = null;
    if (column.names.size() == 2) {
      Schema schema = scope.get(column.names.get(0).toLowerCase(Locale.ROOT));
      field = schema == null ? null : schema.caseInsensitiveFindField(name);
    } else if (!scope.containsValue(null)) {
      // unqualified: the one relation that has the column (a relation of unknown columns might)
      var found =
          scope.values().stream()
              .map(s -> s.caseInsensitiveFindField(name))
              .filter(f -> f != null)
              .toList();
      field = found.size() == 1 ? found.get(0) : null;
    }
    return field == null ? null : SparkCasts.kindOf(field.type());
  }
}
