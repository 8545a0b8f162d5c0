package dev.dataflow.ml.registry;

import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ModelFormat;
import dev.dataflow.ml.Task;
import java.util.List;
import java.util.Map;

/**
 * One registered version of a model: how it was made (parameters, the query and the exact snapshots
 * it read), how good it was on held-out rows (metrics), what it takes (features) and where its file
 * is. A version never changes once registered, except its description.
 */
public record ModelVersion(
    String model,
    int version,
    ModelFormat format,
    Task task,
    List<Feature> features,
    Map<String, Object> parameters,
    Map<String, Double> metrics,
    List<DatasetSnapshot> lineage,
    String source,
    String file,
    String description,
    String principal,
    long createdAt) {
  public ModelVersion {
    features = List.copyOf(features);
    parameters = Map.copyOf(parameters);
    metrics = Map.copyOf(metrics);
    lineage = List.copyOf(lineage);
  }

  /** The same version with its number and file now known. */
  ModelVersion numbered(int number, String path) {
    return new ModelVersion(
        model,
        number,
        format,
        task,
        features,
        parameters,
        metrics,
        lineage,
        source,
        path,
        description,
        principal,
        createdAt);
  }

  public List<String> featureNames() {
    return features.stream().map(Feature::name).toList();
  }
}
