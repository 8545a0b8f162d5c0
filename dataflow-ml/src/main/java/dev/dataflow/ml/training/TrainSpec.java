package dev.dataflow.ml.training;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Task;
import java.util.List;
import java.util.Map;

/**
 * What to train: rows from a dataset or a query, a target column, the feature columns (all others
 * when empty), XGBoost parameters (defaults below) and the held-out share of rows.
 */
public record TrainSpec(
    String model,
    String dataset,
    String sql,
    String target,
    List<String> features,
    Task task,
    Map<String, Object> parameters,
    double testFraction,
    long seed,
    String description) {
  public TrainSpec {
    requireNonNull(model, "model is null");
    requireNonNull(task, "task is null");
    features = features == null ? List.of() : List.copyOf(features);
    parameters = parameters == null ? Map.of() : Map.copyOf(parameters);
    if ((dataset == null) == (sql == null)) {
      throw Errors.invalid("Train from a dataset or from a SQL query (one of the two)");
    }
    if (target == null || target.isBlank()) {
      throw Errors.invalid("Name the target column to predict");
    }
    if (!(testFraction > 0 && testFraction < 1)) {
      throw Errors.invalid("The held-out share must be between 0 and 1, not " + testFraction);
    }
  }

  /** The query the rows come from. */
  public String query() {
    return sql != null ? sql : "SELECT * FROM " + dataset;
  }
}
