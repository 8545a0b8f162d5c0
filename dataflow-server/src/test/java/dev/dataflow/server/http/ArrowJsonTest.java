package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Period;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.IntervalMonthDayNanoVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.TimeStampMicroVector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ArrowJsonTest {
  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void closeAllocator() {
    // fails the test when a vector leaked
    allocator.close();
  }

  @Test
  void keepsNumbersExact() {
    try (DecimalVector decimal = new DecimalVector("d", allocator, 38, 9);
        UInt8Vector unsigned = new UInt8Vector("u", allocator)) {
      decimal.setSafe(0, new BigDecimal("123456789012345678.123456789"));
      decimal.setNull(1);
      unsigned.setSafe(0, -1L);
      assertThat(ArrowJson.value(decimal, 0))
          .isEqualTo(new BigDecimal("123456789012345678.123456789"));
      assertThat(ArrowJson.value(decimal, 1)).isNull();
      assertThat(ArrowJson.value(unsigned, 0)).isEqualTo(new BigInteger("18446744073709551615"));
      assertThat(ArrowJson.typeName(decimal.getField())).isEqualTo("DECIMAL(38,9)");
      assertThat(ArrowJson.typeName(unsigned.getField())).isEqualTo("UBIGINT");
    }
  }

  @Test
  void writesTimesAsIsoStrings() {
    try (DateDayVector date = new DateDayVector("d", allocator);
        TimeStampMicroVector local = new TimeStampMicroVector("ts", allocator);
        TimeStampMicroTZVector zoned = new TimeStampMicroTZVector("tz", allocator, "UTC");
        IntervalMonthDayNanoVector interval = new IntervalMonthDayNanoVector("i", allocator)) {
      date.setSafe(0, 20_000);
      date.setSafe(1, Integer.MAX_VALUE);
      local.setSafe(0, 1_700_000_000_000_000L);
      local.setSafe(1, Long.MAX_VALUE);
      zoned.setSafe(0, 1_700_000_000_123_000L);
      interval.setSafe(0, 1, 2, Duration.ofHours(3).toNanos());
      assertThat(ArrowJson.value(date, 0)).isEqualTo("2024-10-04");
      assertThat(ArrowJson.value(date, 1)).isEqualTo("infinity");
      assertThat(ArrowJson.value(local, 0)).isEqualTo("2023-11-14T22:13:20");
      assertThat(ArrowJson.value(local, 1)).isEqualTo("infinity");
      assertThat(ArrowJson.value(zoned, 0)).isEqualTo("2023-11-14T22:13:20.123Z");
      assertThat(ArrowJson.value(interval, 0)).isEqualTo(Period.of(0, 1, 2) + "T3H");
      assertThat(ArrowJson.typeName(local.getField())).isEqualTo("TIMESTAMP");
      assertThat(ArrowJson.typeName(zoned.getField())).isEqualTo("TIMESTAMPTZ");
    }
  }

  @Test
  void writesBytesTextAndNestedValues() {
    try (VarBinaryVector bytes = new VarBinaryVector("b", allocator);
        VarCharVector text = new VarCharVector("t", allocator);
        ListVector list = ListVector.empty("l", allocator);
        StructVector struct = StructVector.empty("s", allocator)) {
      bytes.setSafe(0, "hi".getBytes(StandardCharsets.UTF_8));
      text.setSafe(0, "héllo".getBytes(StandardCharsets.UTF_8));
      UnionListWriter writer = list.getWriter();
      writer.startList();
      writer.integer().writeInt(1);
      writer.integer().writeInt(2);
      writer.endList();
      list.setValueCount(1);
      IntVector field =
          struct.addOrGet("a", FieldType.nullable(new ArrowType.Int(32, true)), IntVector.class);
      field.setSafe(0, 7);
      struct.setIndexDefined(0);
      struct.setValueCount(1);
      assertThat(ArrowJson.value(bytes, 0)).isEqualTo("aGk=");
      assertThat(ArrowJson.value(text, 0)).isEqualTo("héllo");
      assertThat(ArrowJson.value(list, 0)).isEqualTo(List.of(1, 2));
      assertThat(ArrowJson.value(struct, 0)).isEqualTo(Map.of("a", 7));
      assertThat(ArrowJson.typeName(list.getField())).isEqualTo("INTEGER[]");
      assertThat(ArrowJson.typeName(struct.getField())).isEqualTo("STRUCT(\"a\" INTEGER)");
    }
  }
}
