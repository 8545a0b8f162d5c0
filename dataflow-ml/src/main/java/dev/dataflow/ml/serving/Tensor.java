package dev.dataflow.ml.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One input tensor of an Open Inference Protocol request: name, datatype, shape and flat data. */
record Tensor(String name, String datatype, long[] shape, List<JsonNode> data) {
  static Tensor of(JsonNode input) {
    String name = input.path("name").asText(null);
    if (name == null || name.isEmpty()) {
      throw Errors.invalid("Every input needs a name, shape, datatype and data: " + input);
    }
    String datatype = input.path("datatype").asText("");
    if (!Feature.isKnown(datatype)) {
      throw Errors.invalid(
          "Input " + name + " has datatype '" + datatype + "': use FP32, FP64, INT64 or BOOL");
    }
    long[] shape = shape(name, input.path("shape"));
    List<JsonNode> data = new ArrayList<>();
    flatten(input.path("data"), data, name);
    long size = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    if (data.size() != size) {
      throw Errors.invalid(
          "Input "
              + name
              + " has shape "
              + Arrays.toString(shape)
              + " ("
              + size
              + " values) but "
              + data.size()
              + " values of data");
    }
    return new Tensor(name, datatype, shape, data);
  }

  private static long[] shape(String name, JsonNode shape) {
    if (!shape.isArray() || shape.isEmpty() || shape.size() > 2) {
      throw Errors.invalid("Input " + name + " needs a shape of [n] or [n, m], not " + shape);
    }
    long[] dims = new long[shape.size()];
    for (int i = 0; i < dims.length; i++) {
      if (!shape.get(i).canConvertToLong() || shape.get(i).asLong() < 1) {
        throw Errors.invalid("Input " + name + " has shape " + shape + ": sizes are counts >= 1");
      }
      dims[i] = shape.get(i).asLong();
    }
    return dims;
  }

  private static void flatten(JsonNode data, List<JsonNode> out, String name) {
    if (!data.isArray()) {
      throw Errors.invalid("Input " + name + " needs its data as a JSON array");
    }
    for (JsonNode item : data) {
      if (item.isArray()) {
        flatten(item, out, name);
      } else {
        out.add(item);
      }
    }
  }

  /** Rows of a per-feature input: shape [n] or [n, 1]. */
  int columnLength() {
    if (shape.length == 2 && shape[1] != 1) {
      throw Errors.invalid(
          "Input "
              + name
              + " has shape "
              + Arrays.toString(shape)
              + ": a per-feature input has shape [n] or [n, 1]");
    }
    return (int) shape[0];
  }

  /**
   * A value of a {@code [n, features]} input, checked against the input's one datatype; a BOOL
   * feature takes 0 or 1 there.
   */
  float matrixValue(int index, Feature feature) {
    String where = "input " + name + "[" + index + "]";
    float value = Values.of(data.get(index), datatype, feature, where);
    if (feature.booleanValued() && value != 0 && value != 1 && !Float.isNaN(value)) {
      throw Errors.invalid(where + ": feature " + feature.name() + " is BOOL: send 0 or 1");
    }
    return value;
  }

  float value(int index, Feature feature) {
    if (feature.booleanValued() != datatype.equals("BOOL")) {
      throw Errors.invalid(
          "Input "
              + name
              + " is "
              + datatype
              + " but feature "
              + feature.name()
              + " is "
              + feature.datatype());
    }
    return Values.of(data.get(index), datatype, feature, "input " + name + "[" + index + "]");
  }
}
