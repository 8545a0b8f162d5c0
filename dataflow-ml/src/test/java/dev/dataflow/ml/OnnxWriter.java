package dev.dataflow.ml;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Writes a linear model {@code y = x · w + b} as an ONNX graph (MatMul then Add; input {@code
 * features} float [n, k], output {@code y} float [n, 1]) by encoding the ONNX protobuf messages
 * field by field, so tests need neither Python nor a downloaded file. Field numbers are those of
 * onnx.proto (ModelProto, GraphProto, NodeProto, TensorProto, ValueInfoProto, TypeProto).
 */
public final class OnnxWriter {
  private static final int FLOAT = 1;

  private OnnxWriter() {}

  public static byte[] linear(float[] weights, float bias) {
    int k = weights.length;
    byte[] graph =
        concat(
            field(1, node(new String[] {"features", "w"}, "xw", "MatMul")),
            field(1, node(new String[] {"xw", "b"}, "y", "Add")),
            field(2, text("linear")),
            field(5, tensor("w", new long[] {k, 1}, weights)),
            field(5, tensor("b", new long[] {1}, new float[] {bias})),
            field(11, valueInfo("features", "n", k)),
            field(12, valueInfo("y", "n", 1)));
    byte[] opset = concat(field(1, text("")), varintField(2, 13));
    return concat(varintField(1, 8), field(8, opset), field(7, graph));
  }

  /** The model with a {@code doc_string} of {@code bytes} bytes: a big file that still loads. */
  public static byte[] padded(byte[] model, int bytes) {
    byte[] doc = new byte[bytes];
    java.util.Arrays.fill(doc, (byte) 'x');
    return concat(model, field(6, doc));
  }

  private static byte[] node(String[] inputs, String output, String op) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String input : inputs) {
      out.writeBytes(field(1, text(input)));
    }
    out.writeBytes(field(2, text(output)));
    out.writeBytes(field(3, text(op + "_" + output)));
    out.writeBytes(field(4, text(op)));
    return out.toByteArray();
  }

  private static byte[] tensor(String name, long[] dims, float[] values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (long dim : dims) {
      out.writeBytes(varintField(1, dim));
    }
    out.writeBytes(varintField(2, FLOAT));
    out.writeBytes(field(8, text(name)));
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float value : values) {
      raw.putFloat(value);
    }
    out.writeBytes(field(9, raw.array()));
    return out.toByteArray();
  }

  /** A float tensor value of shape [symbolic rows, columns]. */
  private static byte[] valueInfo(String name, String rows, int columns) {
    byte[] shape = concat(field(1, field(2, text(rows))), field(1, varintField(1, columns)));
    byte[] tensorType = concat(varintField(1, FLOAT), field(2, shape));
    return concat(field(1, text(name)), field(2, field(1, tensorType)));
  }

  private static byte[] text(String value) {
    return value.getBytes(StandardCharsets.UTF_8);
  }

  /** A length-delimited field (wire type 2). */
  private static byte[] field(int number, byte[] payload) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, (long) number << 3 | 2);
    varint(out, payload.length);
    out.writeBytes(payload);
    return out.toByteArray();
  }

  /** A varint field (wire type 0). */
  private static byte[] varintField(int number, long value) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    varint(out, (long) number << 3);
    varint(out, value);
    return out.toByteArray();
  }

  private static void varint(ByteArrayOutputStream out, long value) {
    while ((value & ~0x7FL) != 0) {
      out.write((int) (value & 0x7F) | 0x80);
      value >>>= 7;
    }
    out.write((int) value);
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }
}
