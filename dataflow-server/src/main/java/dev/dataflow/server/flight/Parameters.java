package dev.dataflow.server.flight;

import dev.dataflow.api.ErrorCode;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.util.Text;

/**
 * Reads the parameter rows a client binds to a prepared statement into values DuckDB's JDBC takes.
 */
final class Parameters {
  private Parameters() {}

  /** Every row of the stream, each converted for the statement's parameter types. */
  static List<List<Object>> read(FlightStream stream, StatementShape shape) {
    List<List<Object>> rows = new ArrayList<>();
    while (stream.next()) {
      VectorSchemaRoot root = stream.getRoot();
      if (root.getFieldVectors().size() != shape.parameterCount()) {
        throw FlightErrors.of(
            ErrorCode.INVALID_ARGUMENT,
            "The statement takes "
                + shape.parameterCount()
                + " parameters but "
                + root.getFieldVectors().size()
                + " were bound");
      }
      for (int row = 0; row < root.getRowCount(); row++) {
        rows.add(row(root, row, shape));
      }
    }
    return rows;
  }

  private static List<Object> row(VectorSchemaRoot root, int row, StatementShape shape) {
    List<Object> values = new ArrayList<>();
    for (int column = 0; column < shape.parameterCount(); column++) {
      Object value = value(root.getVector(column), row);
      values.add(forType(value, shape.parameterTypes().get(column)));
    }
    // SqlService takes the list as is; nulls are legal parameter values
    return Collections.unmodifiableList(values);
  }

  static Object value(FieldVector vector, int row) {
    if (vector.isNull(row)) {
      return null;
    }
    if (vector instanceof DateDayVector days) {
      return LocalDate.ofEpochDay(days.get(row));
    }
    if (vector instanceof DateMilliVector millis) {
      return millis.getObject(row).toLocalDate();
    }
    if (vector instanceof TimeStampVector timestamps) {
      return timestamp(timestamps, row);
    }
    Object time = time(vector, row);
    if (time != null) {
      return time;
    }
    Object value = vector.getObject(row);
    return value instanceof Text text ? text.toString() : value;
  }

  /** A time of day, or null when the vector holds none (Arrow hands some out as LocalDateTime). */
  private static LocalTime time(FieldVector vector, int row) {
    if (vector instanceof TimeSecVector seconds) {
      return LocalTime.ofSecondOfDay(seconds.get(row));
    }
    if (vector instanceof TimeMilliVector millis) {
      return LocalTime.ofNanoOfDay(millis.get(row) * 1_000_000L);
    }
    if (vector instanceof TimeMicroVector micros) {
      return LocalTime.ofNanoOfDay(micros.get(row) * 1_000L);
    }
    if (vector instanceof TimeNanoVector nanos) {
      return LocalTime.ofNanoOfDay(nanos.get(row));
    }
    return null;
  }

  private static Object timestamp(TimeStampVector vector, int row) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
    long nanos = nanos(type.getUnit(), vector.get(row));
    LocalDateTime local =
        LocalDateTime.ofEpochSecond(
            Math.floorDiv(nanos, 1_000_000_000L),
            (int) Math.floorMod(nanos, 1_000_000_000L),
            ZoneOffset.UTC);
    return type.getTimezone() == null
        ? local
        : Instant.ofEpochSecond(0, nanos).atOffset(ZoneOffset.UTC);
  }

  private static long nanos(TimeUnit unit, long value) {
    return switch (unit) {
      case SECOND -> value * 1_000_000_000L;
      case MILLISECOND -> value * 1_000_000L;
      case MICROSECOND -> value * 1_000L;
      case NANOSECOND -> value;
    };
  }

  /**
   * A decimal parameter arrives as a double (see {@link ArrowTypes#parameter}); give DuckDB its
   * digits.
   */
  private static Object forType(Object value, String duckdbType) {
    if (duckdbType.startsWith("DECIMAL") && (value instanceof Double || value instanceof Float)) {
      double number = ((Number) value).doubleValue();
      return Double.isFinite(number) ? BigDecimal.valueOf(number) : value;
    }
    return value;
  }
}
