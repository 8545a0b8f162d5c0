package dev.dataflow.sql.dialect;

import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.calcite.sql.SqlAlienSystemTypeNameSpec;
import org.apache.calcite.sql.SqlBasicTypeNameSpec;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlDataTypeSpec;
import org.apache.calcite.sql.SqlDateLiteral;
import org.apache.calcite.sql.SqlLiteral;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.SqlNumericLiteral;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.fun.SqlLibraryOperators;
import org.apache.calcite.sql.fun.SqlStdOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.iceberg.types.Type;

/**
 * CAST targets with a Spark type of the same meaning, each with the operand types it converts as
 * DuckDB does. DuckDB rounds a fraction cast to an integer where Spark truncates, writes 1e7 as
 * {@code 10000000.0} where Spark writes {@code 1.0E7}, and reads a time zone offset in a string
 * cast to TIMESTAMP: those operand types are left out, and an operand whose type is not known
 * refuses the cast.
 */
final class SparkCasts {
  /** The types an operand can be known to have. */
  enum Kind {
    INTEGRAL("an integer"),
    DECIMAL("a decimal"),
    FLOATING("a floating-point number"),
    STRING("a string"),
    BOOLEAN("a boolean"),
    DATE("a date"),
    TIMESTAMP("a timestamp"),
    NULL("NULL"),
    OTHER("a value of this type");

    private final String description;

    Kind(String description) {
      this.description = description;
    }
  }

  /** A Spark type, the kind of value it holds, and the operand kinds converted as DuckDB does. */
  private record Target(String spark, Kind yields, Set<Kind> from) {}

  private static final Target STRING =
      new Target(
          "STRING",
          Kind.STRING,
          EnumSet.of(Kind.INTEGRAL, Kind.STRING, Kind.BOOLEAN, Kind.DATE, Kind.NULL));
  private static final Target TINYINT = integer("TINYINT");
  private static final Target SMALLINT = integer("SMALLINT");
  private static final Target INT = integer("INT");
  private static final Target BIGINT = integer("BIGINT");
  private static final Target DOUBLE = floating("DOUBLE");
  private static final Target FLOAT = floating("FLOAT");
  private static final Target BOOLEAN =
      new Target("BOOLEAN", Kind.BOOLEAN, EnumSet.of(Kind.BOOLEAN, Kind.INTEGRAL, Kind.NULL));
  private static final Target DATE =
      new Target("DATE", Kind.DATE, EnumSet.of(Kind.DATE, Kind.TIMESTAMP, Kind.STRING, Kind.NULL));
  private static final Target TIMESTAMP =
      new Target("TIMESTAMP_NTZ", Kind.TIMESTAMP, EnumSet.of(Kind.TIMESTAMP, Kind.DATE, Kind.NULL));

  /** DuckDB's type names (aliases included) and what each becomes in Spark. */
  private static final Map<String, Target> TARGETS =
      Map.ofEntries(
          Map.entry("VARCHAR", STRING),
          Map.entry("TEXT", STRING),
          Map.entry("STRING", STRING),
          Map.entry("CHAR", STRING),
          Map.entry("BPCHAR", STRING),
          Map.entry("TINYINT", TINYINT),
          Map.entry("INT1", TINYINT),
          Map.entry("SMALLINT", SMALLINT),
          Map.entry("INT2", SMALLINT),
          Map.entry("INTEGER", INT),
          Map.entry("INT", INT),
          Map.entry("INT4", INT),
          Map.entry("BIGINT", BIGINT),
          Map.entry("INT8", BIGINT),
          Map.entry("DOUBLE", DOUBLE),
          Map.entry("FLOAT8", DOUBLE),
          Map.entry("FLOAT", FLOAT),
          Map.entry("FLOAT4", FLOAT),
          Map.entry("REAL", FLOAT),
          Map.entry("BOOLEAN", BOOLEAN),
          Map.entry("BOOL", BOOLEAN),
          Map.entry("DATE", DATE),
          Map.entry("TIMESTAMP", TIMESTAMP),
          Map.entry("DATETIME", TIMESTAMP));

  private static final Set<String> DECIMALS = Set.of("DECIMAL", "NUMERIC", "DEC");

  private SparkCasts() {}

  /** Spark's CAST of {@code operand} (already in Spark's form) to the DuckDB type of a cast. */
  static SqlNode cast(SqlCall cast, SqlNode operand, Kind operandKind) {
    SqlDataTypeSpec type = cast.operand(1);
    Target target = target(type);
    String written = "CAST(" + SparkRewriter.text(cast.operand(0)) + " AS " + name(type) + ")";
    if (operandKind == null) {
      throw new Refusal(
          written
              + ": the operand's type is not known here (a column of a dataset named in the same"
              + " FROM, a literal or a CAST is), and Spark converts some types differently");
    }
    if (!target.from().contains(operandKind)) {
      throw new Refusal(
          written
              + ": Spark converts "
              + operandKind.description
              + " to "
              + name(type)
              + " differently");
    }
    boolean tryCast = cast.getOperator() == SqlLibraryOperators.TRY_CAST;
    return (tryCast ? SqlLibraryOperators.TRY_CAST : SqlStdOperatorTable.CAST)
        .createCall(SqlParserPos.ZERO, operand, sparkType(target.spark()));
  }

  /** Spark's {@code CAST(operand AS DOUBLE)}. */
  static SqlNode toDouble(SqlNode operand) {
    return SqlStdOperatorTable.CAST.createCall(
        SqlParserPos.ZERO, operand, sparkType(DOUBLE.spark()));
  }

  /** A type written as Spark spells it. */
  private static SqlDataTypeSpec sparkType(String name) {
    return new SqlDataTypeSpec(
        new SqlAlienSystemTypeNameSpec(name, SqlTypeName.ANY, SqlParserPos.ZERO),
        SqlParserPos.ZERO);
  }

  /** The kind of value a cast to this DuckDB type yields. */
  static Kind kindOf(SqlDataTypeSpec type) {
    return target(type).yields();
  }

  static Kind kindOf(SqlLiteral literal) {
    if (literal instanceof SqlNumericLiteral number) {
      if (!number.isExact()) {
        return Kind.FLOATING;
      }
      Integer scale = number.getScale();
      return scale == null || scale == 0 ? Kind.INTEGRAL : Kind.DECIMAL;
    }
    if (literal instanceof SqlCharStringLiteral) {
      return Kind.STRING;
    }
    if (literal instanceof SqlDateLiteral) {
      return Kind.DATE;
    }
    if (literal instanceof SqlTimestampLiteral) {
      return Kind.TIMESTAMP;
    }
    return switch (literal.getTypeName()) {
      case BOOLEAN -> Kind.BOOLEAN;
      case NULL -> Kind.NULL;
      default -> null;
    };
  }

  /** How DuckDB reads an Iceberg column of this type. */
  static Kind kindOf(Type type) {
    return switch (type.typeId()) {
      case INTEGER, LONG -> Kind.INTEGRAL;
      case DECIMAL -> Kind.DECIMAL;
      case FLOAT, DOUBLE -> Kind.FLOATING;
      case STRING -> Kind.STRING;
      case BOOLEAN -> Kind.BOOLEAN;
      case DATE -> Kind.DATE;
      case TIMESTAMP ->
          ((org.apache.iceberg.types.Types.TimestampType) type).shouldAdjustToUTC()
              ? Kind.OTHER
              : Kind.TIMESTAMP;
      default -> Kind.OTHER;
    };
  }

  private static Target target(SqlDataTypeSpec type) {
    String name = name(type);
    boolean sized =
        type.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic && basic.getPrecision() >= 0;
    if (DECIMALS.contains(name) && type.getTypeNameSpec() instanceof SqlBasicTypeNameSpec basic) {
      // DuckDB's DECIMAL without a precision is DECIMAL(18,3); Spark's would be DECIMAL(10,0)
      int precision = sized ? basic.getPrecision() : 18;
      int scale = sized ? Math.max(0, basic.getScale()) : 3;
      return new Target(
          "DECIMAL(" + precision + ", " + scale + ")",
          Kind.DECIMAL,
          EnumSet.of(Kind.INTEGRAL, Kind.DECIMAL, Kind.NULL));
    }
    Target target = TARGETS.get(name);
    if (target == null || (sized && target != STRING)) {
      throw new Refusal("CAST to " + name + " has no Spark type of the same meaning");
    }
    return target;
  }

  private static Target integer(String spark) {
    return new Target(spark, Kind.INTEGRAL, EnumSet.of(Kind.INTEGRAL, Kind.BOOLEAN, Kind.NULL));
  }

  private static Target floating(String spark) {
    return new Target(
        spark, Kind.FLOATING, EnumSet.of(Kind.INTEGRAL, Kind.DECIMAL, Kind.FLOATING, Kind.NULL));
  }

  private static String name(SqlDataTypeSpec type) {
    List<String> names = type.getTypeNameSpec().getTypeName().names;
    return names.get(names.size() - 1).toUpperCase(Locale.ROOT);
  }
}
