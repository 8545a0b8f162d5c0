package dev.dataflow.ml;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads feature columns of Arrow batches into the row-major float layout models take, column by
 * column (one typed loop per vector, no per-row objects).
 */
public final class ArrowFeatures {
  private ArrowFeatures() {}

  /** The features for {@code columns} of a result schema; names the column that cannot be one. */
  public static List<Feature> features(Schema schema, List<String> columns) {
    List<Feature> features = new ArrayList<>();
    for (String column : columns) {
      Field field = field(schema, column);
      features.add(new Feature(field.getName(), datatype(field)));
    }
    return features;
  }

  /** The field named {@code column} (case-insensitive), or INVALID_ARGUMENT listing the columns. */
  public static Field field(Schema schema, String column) {
    for (Field field : schema.getFields()) {
      if (field.getName().equalsIgnoreCase(column)) {
        return field;
      }
    }
    throw Errors.invalid(
        "There is no column "
            + column
            + "; the columns are "
            + schema.getFields().stream().map(Field::getName).toList());
  }

  private static String datatype(Field field) {
    ArrowType type = field.getType();
    if (type instanceof ArrowType.Int integer) {
      return (integer.getIsSigned() ? "INT" : "UINT") + integer.getBitWidth();
    }
    if (type instanceof ArrowType.FloatingPoint floating) {
      return floating.getPrecision().name().equals("DOUBLE") ? "FP64" : "FP32";
    }
    if (type instanceof ArrowType.Decimal) {
      return "FP64";
    }
    if (type instanceof ArrowType.Bool) {
      return "BOOL";
    }
    throw Errors.invalid(
        "Column "
            + field.getName()
            + " is "
            + type.getTypeID().name().toLowerCase(Locale.ROOT)
            + ": features must be numbers or booleans (cast or encode it in SQL, or leave it out)");
  }

  /**
   * Writes column {@code column} of {@code batch} into {@code out} at {@code [offset + row *
   * stride]}: row-major when {@code stride} is the feature count.
   */
  public static void copy(
      VectorSchemaRoot batch, String column, float[] out, int offset, int stride) {
    FieldVector vector = batch.getVector(field(batch.getSchema(), column).getName());
    int rows = batch.getRowCount();
    for (int row = 0; row < rows; row++) {
      out[offset + row * stride] = vector.isNull(row) ? Float.NaN : value(vector, row);
    }
  }

  private static float value(FieldVector vector, int row) {
    if (vector instanceof FloatingPointVector floating) {
      return (float) floating.getValueAsDouble(row);
    }
    if (vector instanceof BaseIntVector integer) {
      return integer.getValueAsLong(row);
    }
    if (vector instanceof BitVector bits) {
      return bits.get(row);
    }
    if (vector instanceof DecimalVector decimal) {
      return decimal.getObject(row).floatValue();
    }
    throw Errors.invalid(
        "Column " + vector.getName() + " is " + vector.getMinorType() + ", not a number");
  }

  /** The features of a whole batch, row-major. */
  public static float[] rows(VectorSchemaRoot batch, List<Feature> features) {
    int count = features.size();
    float[] out = new float[batch.getRowCount() * count];
    for (int i = 0; i < count; i++) {
      copy(batch, features.get(i).name(), out, i, count);
    }
    return out;
  }
}
