package dev.dataflow.ml;

import static java.util.Objects.requireNonNull;

import java.util.Set;

/**
 * One input column of a model, with its Open Inference Protocol datatype ({@code FP32}, {@code
 * INT64}, {@code BOOL}, …). Models compute in 32-bit floats; the datatype says which JSON values a
 * request may send for it.
 */
public record Feature(String name, String datatype) {
  private static final Set<String> INTEGERS =
      Set.of("INT8", "INT16", "INT32", "INT64", "UINT8", "UINT16", "UINT32", "UINT64");
  private static final Set<String> FLOATS = Set.of("FP16", "FP32", "FP64");

  public Feature {
    requireNonNull(name, "name is null");
    requireNonNull(datatype, "datatype is null");
    if (!isKnown(datatype)) {
      throw Errors.invalid(
          "Feature " + name + " has datatype " + datatype + ": use FP32, FP64, INT64 or BOOL");
    }
  }

  public static boolean isKnown(String datatype) {
    return INTEGERS.contains(datatype) || FLOATS.contains(datatype) || datatype.equals("BOOL");
  }

  public static boolean isInteger(String datatype) {
    return INTEGERS.contains(datatype);
  }

  public boolean booleanValued() {
    return datatype.equals("BOOL");
  }

  /** Parses {@code name} or {@code name:DATATYPE} (FP32 when not given). */
  public static Feature parse(String text) {
    int colon = text.indexOf(':');
    return colon < 0
        ? new Feature(text.trim(), "FP32")
        : new Feature(text.substring(0, colon).trim(), text.substring(colon + 1).trim());
  }
}
