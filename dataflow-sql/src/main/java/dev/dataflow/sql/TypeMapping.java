package dev.dataflow.sql;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Maps between DuckDB's type names and Iceberg types. Types Iceberg lacks are widened (TINYINT to
 * int, UBIGINT to decimal(20,0)); writes cast to {@link #duckdbType} so files hold exactly the
 * table's types.
 */
public final class TypeMapping {
  private TypeMapping() {}

  public static String duckdbType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> "BOOLEAN";
      case INTEGER -> "INTEGER";
      case LONG -> "BIGINT";
      case FLOAT -> "FLOAT";
      case DOUBLE -> "DOUBLE";
      case DECIMAL -> {
        Types.DecimalType decimal = (Types.DecimalType) type;
        yield "DECIMAL(" + decimal.precision() + "," + decimal.scale() + ")";
      }
      case DATE -> "DATE";
      case TIME -> "TIME";
      case TIMESTAMP ->
          ((Types.TimestampType) type).shouldAdjustToUTC() ? "TIMESTAMPTZ" : "TIMESTAMP";
      case STRING -> "VARCHAR";
      case UUID -> "UUID";
      case FIXED, BINARY -> "BLOB";
      case STRUCT -> struct(type.asStructType());
      case LIST -> duckdbType(type.asListType().elementType()) + "[]";
      case MAP ->
          "MAP("
              + duckdbType(type.asMapType().keyType())
              + ", "
              + duckdbType(type.asMapType().valueType())
              + ")";
      default ->
          throw new DataflowException(
              ErrorCode.UNSUPPORTED, "Iceberg type " + type + " is not readable");
    };
  }

  private static String struct(Types.StructType struct) {
    List<String> fields = new ArrayList<>();
    for (Types.NestedField field : struct.fields()) {
      fields.add(Engine.identifier(field.name()) + " " + duckdbType(field.type()));
    }
    return "STRUCT(" + String.join(", ", fields) + ")";
  }

  /**
   * The Iceberg type for a DuckDB type name as DESCRIBE prints it. Field ids are placeholders from
   * {@code ids}; Iceberg assigns fresh ones when the table is created.
   */
  public static Type icebergType(String duckdbType, String column, AtomicInteger ids) {
    return new TypeParser(duckdbType, column, ids).type();
  }

  private static final class TypeParser {
    private final String text;
    private final String column;
    private final AtomicInteger ids;
    private int pos;

    TypeParser(String text, String column, AtomicInteger ids) {
      this.text = text.trim();
      this.column = column;
      this.ids = ids;
    }

    Type type() {
      Type type = element();
      while (text.startsWith("[]", pos)) {
        pos += 2;
        type = Types.ListType.ofOptional(ids.incrementAndGet(), type);
      }
      return type;
    }

    private Type element() {
      String name = word();
      switch (name) {
        case "STRUCT":
          return struct();
        case "MAP":
          {
            expect('(');
            Type key = type();
            expect(',');
            Type value = type();
            expect(')');
            return Types.MapType.ofOptional(
                ids.incrementAndGet(), ids.incrementAndGet(), key, value);
          }
        case "DECIMAL":
        case "NUMERIC":
          {
            if (!peek('(')) {
              return Types.DecimalType.of(18, 3);
            }
            expect('(');
            int precision = Integer.parseInt(word());
            expect(',');
            int scale = Integer.parseInt(word());
            expect(')');
            return Types.DecimalType.of(precision, scale);
          }
        default:
          return scalar(name);
      }
    }

    private Type scalar(String name) {
      return switch (name) {
        case "BOOLEAN" -> Types.BooleanType.get();
        case "TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT" -> Types.IntegerType.get();
        case "BIGINT", "UINTEGER" -> Types.LongType.get();
        case "UBIGINT" -> Types.DecimalType.of(20, 0);
        case "HUGEINT", "UHUGEINT" -> Types.DecimalType.of(38, 0);
        case "FLOAT" -> Types.FloatType.get();
        case "DOUBLE" -> Types.DoubleType.get();
        case "DATE" -> Types.DateType.get();
        case "TIME" -> Types.TimeType.get();
        case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS" ->
            Types.TimestampType.withoutZone();
        case "TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ" -> Types.TimestampType.withZone();
        case "VARCHAR", "JSON" -> Types.StringType.get();
        case "UUID" -> Types.UUIDType.get();
        case "BLOB" -> Types.BinaryType.get();
        default ->
            throw new DataflowException(
                ErrorCode.UNSUPPORTED,
                "Column "
                    + column
                    + " has type "
                    + name
                    + ", which a lake table cannot hold; cast it");
      };
    }

    private Type struct() {
      expect('(');
      List<Types.NestedField> fields = new ArrayList<>();
      do {
        String name = fieldName();
        fields.add(Types.NestedField.optional(ids.incrementAndGet(), name, type()));
      } while (accept(','));
      expect(')');
      return Types.StructType.of(fields);
    }

    private String fieldName() {
      skipSpace();
      if (peek('"')) {
        int close = text.indexOf('"', pos + 1);
        String name = text.substring(pos + 1, close);
        pos = close + 1;
        return name;
      }
      int start = pos;
      while (pos < text.length() && text.charAt(pos) != ' ') {
        pos++;
      }
      return text.substring(start, pos);
    }

    /** A type keyword, which may be two words (TIMESTAMP WITH TIME ZONE). */
    private String word() {
      skipSpace();
      int start = pos;
      while (pos < text.length() && "(),[]".indexOf(text.charAt(pos)) < 0) {
        pos++;
      }
      return text.substring(start, pos).trim().toUpperCase(Locale.ROOT);
    }

    private boolean peek(char c) {
      skipSpace();
      return pos < text.length() && text.charAt(pos) == c;
    }

    private boolean accept(char c) {
      if (peek(c)) {
        pos++;
        return true;
      }
      return false;
    }

    private void expect(char c) {
      if (!accept(c)) {
        throw new DataflowException(
            ErrorCode.UNSUPPORTED, "Cannot read the type of column " + column + ": " + text);
      }
    }

    private void skipSpace() {
      while (pos < text.length() && text.charAt(pos) == ' ') {
        pos++;
      }
    }
  }
}
