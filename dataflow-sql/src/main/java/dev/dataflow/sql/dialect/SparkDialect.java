package dev.dataflow.sql.dialect;

import org.apache.calcite.sql.SqlAbstractDateTimeLiteral;
import org.apache.calcite.sql.SqlDialect;
import org.apache.calcite.sql.SqlTimestampLiteral;
import org.apache.calcite.sql.SqlWriter;
import org.apache.calcite.sql.dialect.SparkSqlDialect;
import org.checkerframework.checker.nullness.qual.Nullable;

/** Calcite's Spark dialect where Spark's own lexer and types call for more. */
final class SparkDialect extends SparkSqlDialect {
  static final SqlDialect DEFAULT = new SparkDialect();

  private SparkDialect() {
    super(SparkSqlDialect.DEFAULT_CONTEXT);
  }

  /**
   * Spark reads backslash escapes in string literals, and two quotes as two adjacent literals
   * (which it concatenates): both are escaped with a backslash so the text arrives as DuckDB read
   * it.
   */
  @Override
  public void quoteStringLiteral(StringBuilder buf, @Nullable String charsetName, String val) {
    buf.append('\'').append(val.replace("\\", "\\\\").replace("'", "\\'")).append('\'');
  }

  /** DuckDB's TIMESTAMP has no time zone: Spark's is TIMESTAMP_NTZ (its TIMESTAMP has one). */
  @Override
  public void unparseDateTimeLiteral(
      SqlWriter writer, SqlAbstractDateTimeLiteral literal, int leftPrec, int rightPrec) {
    if (literal instanceof SqlTimestampLiteral) {
      writer.literal("TIMESTAMP_NTZ " + quoteStringLiteral(literal.toFormattedString()));
    } else {
      super.unparseDateTimeLiteral(writer, literal, leftPrec, rightPrec);
    }
  }
}
