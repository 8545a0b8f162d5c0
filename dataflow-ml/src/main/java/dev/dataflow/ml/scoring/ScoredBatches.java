package dev.dataflow.ml.scoring;

import dev.dataflow.api.ModelRuntime;
import dev.dataflow.api.Prediction;
import dev.dataflow.ml.ArrowFeatures;
import dev.dataflow.ml.Feature;
import dev.dataflow.sql.Execution;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A query's batches with the model's prediction added as a column: each input batch's vectors are
 * transferred (not copied) and the model predicts for the whole batch at once.
 */
final class ScoredBatches extends ArrowReader {
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
    super(allocator);
    this.input = input;
    this.model = model;
    this.features = features;
    this.column = column;
  }

  @Override
  public boolean loadNextBatch() throws IOException {
    prepareLoadNextBatch();
    if (!input.next()) {
      return false;
    }
    VectorSchemaRoot in = input.batch();
    VectorSchemaRoot out = getVectorSchemaRoot();
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

  @Override
  public long bytesRead() {
    return 0;
  }

  @Override
  protected void closeReadSource() {
    // the execution is closed by whoever opened it
  }

  @Override
  protected Schema readSchema() {
    List<Field> fields = new ArrayList<>(input.schema().getFields());
    fields.add(
        new Field(
            column,
            FieldType.nullable(new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
            null));
    return new Schema(fields);
  }
}
