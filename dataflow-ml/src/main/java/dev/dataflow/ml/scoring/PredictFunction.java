package dev.dataflow.ml.scoring;

import dev.dataflow.api.Prediction;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.registry.ModelRegistry;
import dev.dataflow.ml.serving.Endpoints;
import dev.dataflow.ml.serving.Endpoints.Served;
import dev.dataflow.sql.Engine;
import java.sql.SQLException;
import org.duckdb.DuckDBColumnType;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBDataChunkReader;
import org.duckdb.DuckDBFunctions;
import org.duckdb.DuckDBLogicalType;
import org.duckdb.DuckDBReadableVector;
import org.duckdb.DuckDBWritableVector;

/**
 * SQL's {@code predict('churn@champion', f1, f2, …)}: the features in the model's order, the
 * prediction as a DOUBLE. It is vectorized: the model predicts once per DuckDB chunk (2048 rows),
 * not once per row.
 */
public final class PredictFunction {
  private final ModelRegistry registry;
  private final Endpoints endpoints;

  private PredictFunction(ModelRegistry registry, Endpoints endpoints) {
    this.registry = registry;
    this.endpoints = endpoints;
  }

  public static void register(Engine engine, ModelRegistry registry, Endpoints endpoints) {
    PredictFunction function = new PredictFunction(registry, endpoints);
    try (DuckDBConnection connection = engine.connect();
        DuckDBLogicalType text = DuckDBLogicalType.of(DuckDBColumnType.VARCHAR);
        DuckDBLogicalType number = DuckDBLogicalType.of(DuckDBColumnType.DOUBLE)) {
      DuckDBFunctions.scalarFunction()
          .withName("predict")
          .withParameter(text)
          .withVarArgs(number)
          .withReturnType(number)
          .withVectorizedFunction(function::apply)
          .register(connection);
    } catch (SQLException e) {
      throw Errors.internal("Cannot register SQL function predict", e);
    }
  }

  private void apply(DuckDBDataChunkReader input, DuckDBWritableVector output) {
    int rows = (int) input.rowCount();
    if (rows == 0) {
      return;
    }
    DuckDBReadableVector names = input.vector(0);
    String name = names.getString(0);
    for (int row = 1; row < rows; row++) {
      if (!name.equals(names.getString(row))) {
        throw Errors.invalid("predict's first argument must be one model for every row");
      }
    }
    Served model = endpoints.load(registry.resolve(ModelRef.parse(name)));
    int width = model.version().features().size();
    if (input.columnCount() - 1 != width) {
      throw Errors.invalid(
          "predict('"
              + name
              + "', …) got "
              + (input.columnCount() - 1)
              + " features; the model takes "
              + width
              + ": "
              + model.version().featureNames());
    }
    float[] features = new float[rows * width];
    for (int column = 0; column < width; column++) {
      DuckDBReadableVector vector = input.vector(column + 1);
      for (int row = 0; row < rows; row++) {
        features[row * width + column] =
            vector.isNull(row) ? Float.NaN : (float) vector.getDouble(row);
      }
    }
    Prediction prediction = model.runtime().predict(features, rows);
    for (int row = 0; row < rows; row++) {
      output.setDouble(row, prediction.score(row));
    }
  }
}
