package dev.dataflow.server.flight;

import dev.dataflow.api.DataflowException;
import dev.dataflow.sql.TypeMapping;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.sql.FlightSqlColumnMetadata;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Arrow types for catalog columns and statement parameters. Catalog columns get the types DuckDB's
 * Arrow export produces for them, so the metadata a tool shows matches the data it then reads.
 */
final class ArrowTypes {
  private ArrowTypes() {}

  /** The Arrow schema of an Iceberg table or view, with the column metadata JDBC tools display. */
  static Schema schema(org.apache.iceberg.Schema schema, String space, String table) {
    List<Field> fields = new ArrayList<>();
    for (Types.NestedField column : schema.columns()) {
      fields.add(
          field(
              column.name(),
              column.type(),
              column.isOptional(),
              columnMetadata(column.type(), space, table)));
    }
    return new Schema(fields);
  }

  private static Map<String, String> columnMetadata(Type type, String space, String table) {
    FlightSqlColumnMetadata.Builder metadata =
        new FlightSqlColumnMetadata.Builder()
            .schemaName(space)
            .tableName(table)
            .typeName(typeName(type));
    if (type instanceof Types.DecimalType decimal) {
      metadata.precision(decimal.precision()).scale(decimal.scale());
    }
    return metadata.build().getMetadataMap();
  }

  /** DuckDB's name of a type; a decimal's precision and scale are reported apart, as JDBC does. */
  private static String typeName(Type type) {
    if (type.typeId() == Type.TypeID.DECIMAL) {
      return "DECIMAL";
    }
    try {
      return TypeMapping.duckdbType(type);
    } catch (DataflowException e) {
      return type.toString().toUpperCase(Locale.ROOT);
    }
  }

  static Field field(String name, Type type, boolean nullable, Map<String, String> metadata) {
    return new Field(
        name, new FieldType(nullable, arrowType(type), null, metadata), children(type));
  }

  private static ArrowType arrowType(Type type) {
    return switch (type.typeId()) {
      case BOOLEAN -> ArrowType.Bool.INSTANCE;
      case INTEGER -> new ArrowType.Int(32, true);
      case LONG -> new ArrowType.Int(64, true);
      case FLOAT -> new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
      case DOUBLE -> new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
      case DECIMAL -> decimal((Types.DecimalType) type);
      case DATE -> new ArrowType.Date(DateUnit.DAY);
      case TIME -> new ArrowType.Time(TimeUnit.MICROSECOND, 64);
      case TIMESTAMP ->
          new ArrowType.Timestamp(
              TimeUnit.MICROSECOND,
              ((Types.TimestampType) type).shouldAdjustToUTC() ? "UTC" : null);
      case TIMESTAMP_NANO ->
          new ArrowType.Timestamp(
              TimeUnit.NANOSECOND,
              ((Types.TimestampNanoType) type).shouldAdjustToUTC() ? "UTC" : null);
      case FIXED, BINARY -> ArrowType.Binary.INSTANCE;
      case STRUCT -> ArrowType.Struct.INSTANCE;
      case LIST -> ArrowType.List.INSTANCE;
      case MAP -> new ArrowType.Map(false);
      // DuckDB exports UUIDs as text; anything newer (variant, geometry) is shown as text too
      default -> ArrowType.Utf8.INSTANCE;
    };
  }

  private static ArrowType decimal(Types.DecimalType decimal) {
    return new ArrowType.Decimal(decimal.precision(), decimal.scale(), 128);
  }

  private static List<Field> children(Type type) {
    return switch (type.typeId()) {
      case STRUCT -> {
        List<Field> fields = new ArrayList<>();
        for (Types.NestedField field : type.asStructType().fields()) {
          fields.add(field(field.name(), field.type(), field.isOptional(), null));
        }
        yield fields;
      }
      // DuckDB names a list's element "l"
      case LIST ->
          List.of(
              field(
                  "l",
                  type.asListType().elementType(),
                  type.asListType().isElementOptional(),
                  null));
      case MAP -> {
        Types.MapType map = type.asMapType();
        Field key = field("key", map.keyType(), false, null);
        Field value = field("value", map.valueType(), map.isValueOptional(), null);
        yield List.of(
            new Field(
                "entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value)));
      }
      default -> List.of();
    };
  }

  /**
   * A best-effort Arrow field for a DuckDB type name (as prepared statement metadata reports it),
   * through Iceberg's type; a type a table cannot hold is shown as text.
   */
  static Field fromDuckdb(String name, String duckdbType) {
    try {
      return field(
          name, TypeMapping.icebergType(duckdbType, name, new AtomicInteger()), true, null);
    } catch (RuntimeException e) {
      return Field.nullable(name, ArrowType.Utf8.INSTANCE);
    }
  }

  /**
   * The Arrow type a JDBC client binds a parameter of DuckDB type {@code duckdbType} with. These
   * follow what the Flight SQL JDBC driver can bind, not the exact type: it writes a BigDecimal
   * only when its scale equals the vector's (so 0.5 would fail for DECIMAL(15,2)) while a double
   * takes any Number; it writes dates as days, timestamps as milliseconds and times as milliseconds
   * whatever the vector's unit says. Every other type travels as text, which DuckDB casts.
   */
  static Field parameter(int index, String duckdbType) {
    String type = duckdbType.toUpperCase(Locale.ROOT);
    ArrowType arrow;
    if (type.equals("BOOLEAN")) {
      arrow = ArrowType.Bool.INSTANCE;
    } else if (List.of("TINYINT", "SMALLINT", "INTEGER", "UTINYINT", "USMALLINT").contains(type)) {
      arrow = new ArrowType.Int(32, true);
    } else if (List.of("BIGINT", "UINTEGER", "UBIGINT", "HUGEINT", "UHUGEINT").contains(type)) {
      arrow = new ArrowType.Int(64, true);
    } else if (type.equals("FLOAT") || type.equals("DOUBLE") || type.startsWith("DECIMAL")) {
      arrow = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
    } else if (type.equals("DATE")) {
      arrow = new ArrowType.Date(DateUnit.DAY);
    } else if (type.startsWith("TIMESTAMP")) {
      arrow = new ArrowType.Timestamp(TimeUnit.MILLISECOND, null);
    } else if (type.equals("TIME")) {
      arrow = new ArrowType.Time(TimeUnit.MILLISECOND, 32);
    } else if (type.equals("BLOB")) {
      arrow = ArrowType.Binary.INSTANCE;
    } else {
      arrow = ArrowType.Utf8.INSTANCE;
    }
    return Field.nullable("parameter_" + index, arrow);
  }
}
