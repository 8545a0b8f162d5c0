package dev.dataflow.ml.scoring;

import dev.dataflow.api.ModelRuntime;
import dev.dataflow.api.Prediction;
import dev.dataflow.ml.ArrowFeatures;
import dev.dataflow.ml.Feature;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.write.FilledBatches;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query's batches with the model's prediction added as a column: each input batch's vectors are
 * transferred (not copied) and the model predicts for the whole batch at once. The execution is
 * closed by whoever opened it.
 */
final class ScoredBatches extends FilledBatches {
  private final Execution input;
  private final ModelRuntime model;
  private final List<Feature> features;
  private final String column;

  ScoredBatches(
      BufferAllocator allocator,
      Execution input,
      ModelRuntime model,
      List<Feature> features,
      String column) {
    super(allocator, schema(input, column));
    this.input = input;
    this.model = model;
    this.features = features;
    this.column = column;
  }

  @Override
  protected boolean fill(VectorSchemaRoot out) {
    if (!input.next()) {
      return false;
    }
    VectorSchemaRoot in = input.batch();
    int rows = in.getRowCount();
    Prediction prediction = model.predict(ArrowFeatures.rows(in, features), rows);
    List<FieldVector> sources = in.getFieldVectors();
    for (int i = 0; i < sources.size(); i++) {
      sources.get(i).makeTransferPair(out.getVector(i)).transfer();
    }
    Float4Vector scores = (Float4Vector) out.getVector(column);
    scores.allocateNew(rows);
    for (int row = 0; row < rows; row++) {
      scores.set(row, prediction.score(row));
    }
    out.setRowCount(rows);
    return true;
  }

  private static Schema schema(Execution input, String column) {
    List<Field> fields = new ArrayList<>(input.schema().getFields());
    fields.add(
        new Field(
            column,
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            null));
    return new Schema(fields);
  }
}
