package dev.dataflow.ingest.cdc;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Map;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * Debezium's column schemas (Kafka Connect types with Debezium's logical names) as DuckDB types,
 * and their values as the text DuckDB casts to those types. Temporal values keep Debezium's default
 * microsecond precision; a decimal wider than DuckDB's 38 digits, or of no declared scale, becomes
 * a DOUBLE.
 */
final class ConnectTypes {
  private static final String DECIMAL = "org.apache.kafka.connect.data.Decimal";
  private static final String PRECISION = "connect.decimal.precision";
  private static final Map<String, String> LOGICAL =
      Map.ofEntries(
          Map.entry("io.debezium.time.Date", "DATE"),
          Map.entry("org.apache.kafka.connect.data.Date", "DATE"),
          Map.entry("io.debezium.time.Timestamp", "TIMESTAMP"),
          Map.entry("io.debezium.time.MicroTimestamp", "TIMESTAMP"),
          Map.entry("io.debezium.time.NanoTimestamp", "TIMESTAMP"),
          Map.entry("org.apache.kafka.connect.data.Timestamp", "TIMESTAMP"),
          Map.entry("io.debezium.time.ZonedTimestamp", "TIMESTAMPTZ"),
          Map.entry("io.debezium.time.Time", "TIME"),
          Map.entry("io.debezium.time.MicroTime", "TIME"),
          Map.entry("io.debezium.time.NanoTime", "TIME"),
          Map.entry("io.debezium.data.VariableScaleDecimal", "DOUBLE"));

  private ConnectTypes() {}

  static String duckdbType(Schema schema) {
    String name = schema.name();
    if (DECIMAL.equals(name)) {
      String precision = schema.parameters() == null ? null : schema.parameters().get(PRECISION);
      String scale = schema.parameters() == null ? null : schema.parameters().get("scale");
      return precision == null || Integer.parseInt(precision) > 38
          ? "DOUBLE"
          : "DECIMAL(" + precision + ", " + scale + ")";
    }
    if (name != null && LOGICAL.containsKey(name)) {
      return LOGICAL.get(name);
    }
    return switch (schema.type()) {
      case INT8 -> "TINYINT";
      case INT16 -> "SMALLINT";
      case INT32 -> "INTEGER";
      case INT64 -> "BIGINT";
      case FLOAT32 -> "FLOAT";
      case FLOAT64 -> "DOUBLE";
      case BOOLEAN -> "BOOLEAN";
      case BYTES -> "BLOB";
      default -> "VARCHAR";
    };
  }

  /** A value as a JSON scalar: numbers and booleans as they are, everything else as text. */
  static Object jsonValue(Schema schema, Object value) {
    if (value == null) {
      return null;
    }
    String name = schema.name();
    if (name == null) {
      return plain(value);
    }
    return switch (name) {
      case "io.debezium.time.Date" -> LocalDate.ofEpochDay(((Number) value).longValue()).toString();
      case "io.debezium.time.Timestamp" -> micros(((Number) value).longValue() * 1000);
      case "io.debezium.time.MicroTimestamp" -> micros(((Number) value).longValue());
      case "io.debezium.time.NanoTimestamp" -> micros(((Number) value).longValue() / 1000);
      case "io.debezium.time.Time" ->
          LocalTime.ofNanoOfDay(((Number) value).longValue() * 1_000_000).toString();
      case "io.debezium.time.MicroTime" ->
          LocalTime.ofNanoOfDay(((Number) value).longValue() * 1000).toString();
      case "io.debezium.time.NanoTime" ->
          LocalTime.ofNanoOfDay(((Number) value).longValue()).toString();
      case "io.debezium.data.VariableScaleDecimal" -> variableDecimal((Struct) value);
      default -> plain(value);
    };
  }

  private static String micros(long micros) {
    Instant instant = Instant.EPOCH.plusNanos(micros * 1000);
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC).toString();
  }

  private static Object variableDecimal(Struct value) {
    BigDecimal decimal =
        new BigDecimal(
            new java.math.BigInteger(bytes(value.get("value"))), value.getInt32("scale"));
    return decimal.toPlainString();
  }

  private static Object plain(Object value) {
    if (value instanceof Number || value instanceof Boolean || value instanceof String) {
      return value instanceof BigDecimal decimal ? decimal.toPlainString() : value;
    }
    if (value instanceof java.util.Date date) {
      return LocalDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC).toString();
    }
    if (value instanceof byte[] || value instanceof ByteBuffer) {
      return Base64.getEncoder().encodeToString(bytes(value));
    }
    return value.toString();
  }

  private static byte[] bytes(Object value) {
    if (value instanceof ByteBuffer buffer) {
      byte[] copy = new byte[buffer.remaining()];
      buffer.duplicate().get(copy);
      return copy;
    }
    return (byte[]) value;
  }
}
