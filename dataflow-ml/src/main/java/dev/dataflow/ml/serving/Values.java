package dev.dataflow.ml.serving;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import java.util.List;

/** Checks one JSON value against a feature's datatype; null is a missing value (NaN). */
final class Values {
  private Values() {}

  static float of(JsonNode value, Feature feature, String where) {
    return of(value, feature.datatype(), feature, where);
  }

  /** A value sent as {@code datatype} for {@code feature}. */
  static float of(JsonNode value, String datatype, Feature feature, String where) {
    if (value.isNull()) {
      return Float.NaN;
    }
    if (datatype.equals("BOOL")) {
      if (!value.isBoolean()) {
        throw mistyped(value, feature, "true or false", where);
      }
      return value.booleanValue() ? 1 : 0;
    }
    if (!value.isNumber()) {
      throw mistyped(value, feature, "a number", where);
    }
    if (Feature.isInteger(datatype) && !value.isIntegralNumber()) {
      throw mistyped(value, feature, "a whole number (" + datatype + ")", where);
    }
    return value.floatValue();
  }

  private static RuntimeException mistyped(
      JsonNode value, Feature feature, String expected, String where) {
    return Errors.invalid(
        where + ": feature " + feature.name() + " must be " + expected + ", not " + value);
  }

  static void checkNames(
      List<String> missing, List<String> extra, List<Feature> features, String where) {
    if (missing.isEmpty() && extra.isEmpty()) {
      return;
    }
    StringBuilder message = new StringBuilder(where).append(':');
    if (!missing.isEmpty()) {
      message.append(" missing features ").append(missing).append(';');
    }
    if (!extra.isEmpty()) {
      message.append(" unknown features ").append(extra).append(';');
    }
    throw Errors.invalid(
        message.append(" the model takes ").append(FeatureRows.names(features)).toString());
  }
}
