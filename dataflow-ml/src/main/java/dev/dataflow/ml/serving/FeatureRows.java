package dev.dataflow.ml.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rows of an inference request, checked against the model's features and laid out row-major.
 * Every problem is INVALID_ARGUMENT naming the input, row or feature at fault.
 */
public record FeatureRows(float[] values, int rows) {
  static final int MAX_ROWS = 100_000;

  /**
   * The simple form: {@code {"instances": [{"f1": 1, "f2": 2}, …]}}, or rows as arrays in feature
   * order ({@code [[1, 2], …]}).
   */
  public static FeatureRows instances(JsonNode body, List<Feature> features) {
    JsonNode instances = body.path("instances");
    if (!instances.isArray() || instances.isEmpty()) {
      throw Errors.invalid(
          "The body must be {\"instances\": [{…}, …]} with at least one instance; the model takes "
              + names(features));
    }
    int rows = checkRows(instances.size());
    int width = features.size();
    float[] values = new float[rows * width];
    for (int row = 0; row < rows; row++) {
      JsonNode instance = instances.get(row);
      String where = "instance " + row;
      if (instance.isArray()) {
        positional(instance, features, values, row * width, where);
      } else if (instance.isObject()) {
        named(instance, features, values, row * width, where);
      } else {
        throw Errors.invalid(where + " must be an object of features or an array, not " + instance);
      }
    }
    return new FeatureRows(values, rows);
  }

  private static void positional(
      JsonNode instance, List<Feature> features, float[] values, int offset, String where) {
    if (instance.size() != features.size()) {
      throw Errors.invalid(
          where
              + " has "
              + instance.size()
              + " values; the model takes "
              + features.size()
              + ": "
              + names(features));
    }
    for (int i = 0; i < features.size(); i++) {
      values[offset + i] = Values.of(instance.get(i), features.get(i), where);
    }
  }

  private static void named(
      JsonNode instance, List<Feature> features, float[] values, int offset, String where) {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      Feature feature = features.get(i);
      JsonNode value = instance.get(feature.name());
      if (value == null) {
        missing.add(feature.name());
      } else {
        values[offset + i] = Values.of(value, feature, where);
      }
    }
    List<String> extra = new ArrayList<>();
    instance
        .fieldNames()
        .forEachRemaining(
            name -> {
              if (features.stream().noneMatch(f -> f.name().equals(name))) {
                extra.add(name);
              }
            });
    Values.checkNames(missing, extra, features, where);
  }

  /**
   * The Open Inference Protocol form: one input per feature ({@code shape [n]} or {@code [n, 1]}),
   * or a single input of shape {@code [n, features]} with rows in feature order.
   */
  public static FeatureRows v2(JsonNode body, List<Feature> features) {
    JsonNode inputs = body.path("inputs");
    if (!inputs.isArray() || inputs.isEmpty()) {
      throw Errors.invalid(
          "The body must be {\"inputs\": [{\"name\", \"shape\", \"datatype\", \"data\"}, …]};"
              + " the model takes "
              + names(features));
    }
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    for (JsonNode input : inputs) {
      Tensor tensor = Tensor.of(input);
      if (tensors.put(tensor.name(), tensor) != null) {
        throw Errors.invalid("Input " + tensor.name() + " is given twice");
      }
    }
    if (tensors.size() == 1) {
      Tensor only = tensors.values().iterator().next();
      if (only.shape().length == 2 && only.shape()[1] != 1 || !isFeature(only.name(), features)) {
        return matrix(only, features);
      }
    }
    return columns(tensors, features);
  }

  private static FeatureRows matrix(Tensor tensor, List<Feature> features) {
    long[] shape = tensor.shape();
    if (shape.length != 2 || shape[1] != features.size()) {
      throw Errors.invalid(
          "Input "
              + tensor.name()
              + " has shape "
              + java.util.Arrays.toString(shape)
              + "; one input must have shape [n, "
              + features.size()
              + "] (features "
              + names(features)
              + "), or send one input per feature");
    }
    int rows = checkRows(shape[0]);
    float[] values = new float[rows * features.size()];
    for (int i = 0; i < values.length; i++) {
      Feature feature = features.get(i % features.size());
      values[i] = tensor.matrixValue(i, feature);
    }
    return new FeatureRows(values, rows);
  }

  private static FeatureRows columns(Map<String, Tensor> tensors, List<Feature> features) {
    List<String> missing = new ArrayList<>();
    for (Feature feature : features) {
      if (!tensors.containsKey(feature.name())) {
        missing.add(feature.name());
      }
    }
    List<String> extra =
        tensors.keySet().stream().filter(name -> !isFeature(name, features)).toList();
    Values.checkNames(missing, extra, features, "the request");
    int rows = -1;
    float[] values = null;
    for (int column = 0; column < features.size(); column++) {
      Feature feature = features.get(column);
      Tensor tensor = tensors.get(feature.name());
      int length = tensor.columnLength();
      if (rows < 0) {
        rows = checkRows(length);
        values = new float[rows * features.size()];
      } else if (length != rows) {
        throw Errors.invalid(
            "Input "
                + feature.name()
                + " has "
                + length
                + " rows but "
                + features.get(0).name()
                + " has "
                + rows
                + ": every input needs the same n");
      }
      for (int row = 0; row < rows; row++) {
        values[row * features.size() + column] = tensor.value(row, feature);
      }
    }
    return new FeatureRows(values, rows);
  }

  private static boolean isFeature(String name, List<Feature> features) {
    return features.stream().anyMatch(f -> f.name().equals(name));
  }

  private static int checkRows(long rows) {
    if (rows < 1 || rows > MAX_ROWS) {
      throw Errors.invalid("A request holds 1 to " + MAX_ROWS + " rows, not " + rows);
    }
    return (int) rows;
  }

  static List<String> names(List<Feature> features) {
    return features.stream().map(Feature::name).toList();
  }
}
