package dev.dataflow.ml.serving;

import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The columns of the payload table: when, which model and version, the request and the answer. */
final class PayloadSchema {
  static final Schema SCHEMA =
      new Schema(
          List.of(
              field("ts_millis", new ArrowType.Int(64, true)),
              field("model", ArrowType.Utf8.INSTANCE),
              field("version", new ArrowType.Int(32, true)),
              field("request", ArrowType.Utf8.INSTANCE),
              field("response", ArrowType.Utf8.INSTANCE)));

  private PayloadSchema() {}

  private static Field field(String name, ArrowType type) {
    return new Field(name, FieldType.notNullable(type), null);
  }
}
