package dev.dataflow.ingest.jdbc;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.Map;

/** PostgreSQL (and generic JDBC) column types to DuckDB types; anything unknown is VARCHAR text. */
final class TypeMapping {
  /** MySQL's unsigned integers, widened to the next signed type (Iceberg has no unsigned ones). */
  private static final Map<String, String> UNSIGNED =
      Map.of(
          "tinyint", "SMALLINT",
          "smallint", "INTEGER",
          "mediumint", "BIGINT",
          "int", "BIGINT",
          "integer", "BIGINT",
          "bigint", "DECIMAL(20,0)");

  private TypeMapping() {}

  static Column column(ResultSetMetaData meta, int i) throws SQLException {
    String name = meta.getColumnLabel(i);
    String type = meta.getColumnTypeName(i) == null ? "" : meta.getColumnTypeName(i).toLowerCase();
    boolean unsigned = type.endsWith(" unsigned");
    type = unsigned ? type.substring(0, type.length() - " unsigned".length()) : type;
    String duckdb =
        unsigned && UNSIGNED.containsKey(type)
            ? UNSIGNED.get(type)
            : switch (type) {
              case "int2", "smallint" -> "SMALLINT";
              case "int4", "integer", "int", "serial" -> "INTEGER";
              case "int8", "bigint", "bigserial" -> "BIGINT";
              case "float4", "real" -> "REAL";
              case "float8", "double precision", "double" -> "DOUBLE";
              case "bool", "boolean" -> "BOOLEAN";
              case "date" -> "DATE";
              case "timestamp", "datetime" -> "TIMESTAMP";
              case "timestamptz" -> "TIMESTAMPTZ";
              case "uuid" -> "UUID";
              case "bytea" -> "BLOB";
              case "numeric", "decimal" -> decimal(meta.getPrecision(i), meta.getScale(i));
              case "text", "varchar", "bpchar", "char", "name" -> "VARCHAR";
              default -> generic(meta.getColumnType(i), meta.getPrecision(i), meta.getScale(i));
            };
    return new Column(name, duckdb, duckdb.equals("BLOB"));
  }

  /** Unconstrained or wider-than-38 numerics become DOUBLE (DuckDB decimals hold 38 digits). */
  private static String decimal(int precision, int scale) {
    return precision > 0 && precision <= 38 && scale >= 0 && scale <= precision
        ? "DECIMAL(" + precision + "," + scale + ")"
        : "DOUBLE";
  }

  private static String generic(int sqlType, int precision, int scale) {
    return switch (sqlType) {
      case Types.TINYINT, Types.SMALLINT -> "SMALLINT";
      case Types.INTEGER -> "INTEGER";
      case Types.BIGINT -> "BIGINT";
      case Types.REAL -> "REAL";
      case Types.FLOAT, Types.DOUBLE -> "DOUBLE";
      case Types.NUMERIC, Types.DECIMAL -> decimal(precision, scale);
      case Types.BOOLEAN, Types.BIT -> "BOOLEAN";
      case Types.DATE -> "DATE";
      case Types.TIMESTAMP -> "TIMESTAMP";
      case Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMPTZ";
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> "BLOB";
      default -> "VARCHAR";
    };
  }
}
