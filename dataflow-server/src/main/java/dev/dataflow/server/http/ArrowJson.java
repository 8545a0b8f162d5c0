package dev.dataflow.server.http;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.PeriodDuration;
import org.apache.arrow.vector.TimeMicroVector;
import org.apache.arrow.vector.TimeMilliVector;
import org.apache.arrow.vector.TimeNanoVector;
import org.apache.arrow.vector.TimeSecVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Arrow values as JSON values. Numbers stay numbers and stay exact (decimals and unsigned 64-bit
 * integers as arbitrary-precision numbers); dates, times and timestamps are ISO-8601 strings (with
 * {@code Z} when the type has a time zone; the engine runs in UTC); bytes are base64; lists are
 * arrays; structs and maps are objects.
 */
final class ArrowJson {
  private ArrowJson() {}

  /** One row of a batch, a JSON value per column. */
  static List<Object> row(VectorSchemaRoot root, int index) {
    List<Object> row = new ArrayList<>(root.getFieldVectors().size());
    for (FieldVector vector : root.getFieldVectors()) {
      row.add(value(vector, index));
    }
    return row;
  }

  static Object value(ValueVector vector, int index) {
    if (vector.isNull(index)) {
      return null;
    }
    return switch (vector.getMinorType()) {
      case TINYINT, SMALLINT, INT, BIGINT, FLOAT4, FLOAT8, BIT, DECIMAL, DECIMAL256 ->
          vector.getObject(index);
      case UINT1 -> ((UInt1Vector) vector).getObjectNoOverflow(index);
      case UINT2 -> (int) ((UInt2Vector) vector).get(index);
      case UINT4 -> ((UInt4Vector) vector).getObjectNoOverflow(index);
      case UINT8 -> ((UInt8Vector) vector).getObjectNoOverflow(index);
      case VARCHAR, LARGEVARCHAR, VIEWVARCHAR -> vector.getObject(index).toString();
      case VARBINARY, LARGEVARBINARY, VIEWVARBINARY, FIXEDSIZEBINARY ->
          Base64.getEncoder().encodeToString((byte[]) vector.getObject(index));
      case DATEDAY -> date(((DateDayVector) vector).get(index));
      case DATEMILLI -> date(Math.floorDiv(((DateMilliVector) vector).get(index), 86_400_000L));
      case TIMESEC -> time(((TimeSecVector) vector).get(index) * 1_000_000_000L);
      case TIMEMILLI -> time(((TimeMilliVector) vector).get(index) * 1_000_000L);
      case TIMEMICRO -> time(((TimeMicroVector) vector).get(index) * 1_000L);
      case TIMENANO -> time(((TimeNanoVector) vector).get(index));
      case TIMESTAMPSEC,
          TIMESTAMPMILLI,
          TIMESTAMPMICRO,
          TIMESTAMPNANO,
          TIMESTAMPSECTZ,
          TIMESTAMPMILLITZ,
          TIMESTAMPMICROTZ,
          TIMESTAMPNANOTZ ->
          timestamp((TimeStampVector) vector, index);
      case INTERVALMONTHDAYNANO -> interval((PeriodDuration) vector.getObject(index));
      case INTERVALDAY, DURATION, INTERVALYEAR -> vector.getObject(index).toString();
      case LIST -> list((ListVector) vector, index);
      case LARGELIST -> largeList((LargeListVector) vector, index);
      case FIXED_SIZE_LIST -> fixedSizeList((FixedSizeListVector) vector, index);
      case STRUCT -> struct((StructVector) vector, index);
      case MAP -> map((MapVector) vector, index);
      case NULL -> null;
      default -> String.valueOf(vector.getObject(index));
    };
  }

  /** An ISO date; DuckDB's infinite dates (the largest values) have none, so they are named. */
  private static String date(long epochDay) {
    if (Math.abs(epochDay) == Integer.MAX_VALUE) {
      return infinity(epochDay);
    }
    return LocalDate.ofEpochDay(epochDay).toString();
  }

  private static String infinity(long sign) {
    return sign > 0 ? "infinity" : "-infinity";
  }

  private static String time(long nanoOfDay) {
    return LocalTime.ofNanoOfDay(nanoOfDay).format(DateTimeFormatter.ISO_LOCAL_TIME);
  }

  private static String timestamp(TimeStampVector vector, int index) {
    ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
    long value = vector.get(index);
    if (Math.abs(value) == Long.MAX_VALUE) {
      return infinity(value); // DuckDB's infinite timestamps are the largest values
    }
    Instant instant;
    try {
      instant = Instant.EPOCH.plus(value, chronoUnit(type.getUnit()));
    } catch (DateTimeException | ArithmeticException e) {
      return infinity(value); // beyond what java.time can hold
    }
    if (type.getTimezone() != null) {
      return instant.toString();
    }
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC)
        .format(DateTimeFormatter.ISO_LOCAL_DATE_TIME);
  }

  private static ChronoUnit chronoUnit(TimeUnit unit) {
    return switch (unit) {
      case SECOND -> ChronoUnit.SECONDS;
      case MILLISECOND -> ChronoUnit.MILLIS;
      case MICROSECOND -> ChronoUnit.MICROS;
      case NANOSECOND -> ChronoUnit.NANOS;
    };
  }

  /** An ISO-8601 duration, months and days kept apart from the exact time part: P1M2DT3H. */
  private static String interval(PeriodDuration interval) {
    Period period = interval.getPeriod();
    Duration duration = interval.getDuration();
    if (duration.isZero()) {
      return period.toString();
    }
    return period.isZero() ? duration.toString() : period + duration.toString().substring(1);
  }

  private static List<Object> list(ListVector vector, int index) {
    return list(
        vector.getDataVector(),
        vector.getElementStartIndex(index),
        vector.getElementEndIndex(index));
  }

  private static List<Object> largeList(LargeListVector vector, int index) {
    return list(
        vector.getDataVector(),
        (int) vector.getElementStartIndex(index),
        (int) vector.getElementEndIndex(index));
  }

  private static List<Object> fixedSizeList(FixedSizeListVector vector, int index) {
    int size = vector.getListSize();
    return list(vector.getDataVector(), index * size, (index + 1) * size);
  }

  private static List<Object> list(ValueVector elements, int start, int end) {
    List<Object> values = new ArrayList<>(end - start);
    for (int i = start; i < end; i++) {
      values.add(value(elements, i));
    }
    return values;
  }

  private static Map<String, Object> struct(StructVector vector, int index) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (String name : vector.getChildFieldNames()) {
      values.put(name, value(vector.getChild(name), index));
    }
    return values;
  }

  /** A map as an object; keys that are not strings are written as their JSON text. */
  private static Map<String, Object> map(MapVector vector, int index) {
    StructVector entries = (StructVector) vector.getDataVector();
    ValueVector keys = entries.getChildrenFromFields().get(0);
    ValueVector values = entries.getChildrenFromFields().get(1);
    Map<String, Object> map = new LinkedHashMap<>();
    for (int i = vector.getElementStartIndex(index); i < vector.getElementEndIndex(index); i++) {
      map.put(String.valueOf(value(keys, i)), value(values, i));
    }
    return map;
  }

  /** The SQL name of a column's type, as DuckDB writes it. */
  static String typeName(Field field) {
    ArrowType type = field.getType();
    return switch (type.getTypeID()) {
      case Int -> intName((ArrowType.Int) type);
      case FloatingPoint ->
          ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.DOUBLE
              ? "DOUBLE"
              : "FLOAT";
      case Decimal -> decimalName((ArrowType.Decimal) type);
      case Utf8, LargeUtf8, Utf8View -> "VARCHAR";
      case Binary, LargeBinary, BinaryView, FixedSizeBinary -> "BLOB";
      case Bool -> "BOOLEAN";
      case Date -> "DATE";
      case Time -> "TIME";
      case Timestamp ->
          ((ArrowType.Timestamp) type).getTimezone() == null ? "TIMESTAMP" : "TIMESTAMPTZ";
      case Interval, Duration -> "INTERVAL";
      case List, LargeList, ListView, LargeListView -> typeName(field.getChildren().get(0)) + "[]";
      case FixedSizeList ->
          typeName(field.getChildren().get(0))
              + "["
              + ((ArrowType.FixedSizeList) type).getListSize()
              + "]";
      case Struct -> "STRUCT(" + children(field.getChildren()) + ")";
      case Map -> mapName(field.getChildren().get(0).getChildren());
      case Null -> "NULL";
      default -> type.toString();
    };
  }

  private static String intName(ArrowType.Int type) {
    String name =
        switch (type.getBitWidth()) {
          case 8 -> "TINYINT";
          case 16 -> "SMALLINT";
          case 32 -> "INTEGER";
          default -> "BIGINT";
        };
    return type.getIsSigned() ? name : "U" + name;
  }

  private static String decimalName(ArrowType.Decimal type) {
    return "DECIMAL(" + type.getPrecision() + "," + type.getScale() + ")";
  }

  private static String mapName(List<Field> keyAndValue) {
    return "MAP(" + typeName(keyAndValue.get(0)) + ", " + typeName(keyAndValue.get(1)) + ")";
  }

  private static String children(List<Field> fields) {
    return fields.stream()
        .map(f -> '"' + f.getName().replace("\"", "\"\"") + "\" " + typeName(f))
        .collect(Collectors.joining(", "));
  }

  /** True when the column can be written to a result file as is (dictionaries are not kept). */
  static boolean isPlain(Field field) {
    return field.getDictionary() == null
        && field.getChildren().stream().allMatch(ArrowJson::isPlain);
  }
}
