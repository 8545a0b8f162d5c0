package dev.dataflow.ml;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * A model trained elsewhere: its format, task and input signature (the features, in the order the
 * model takes them; an XGBoost file that names its features may leave them out).
 */
public record ImportSpec(
    String model, ModelFormat format, Task task, List<Feature> features, String description) {
  public ImportSpec {
    requireNonNull(model, "model is null");
    requireNonNull(format, "format is null");
    requireNonNull(task, "task is null");
    features = features == null ? List.of() : List.copyOf(features);
  }
}
