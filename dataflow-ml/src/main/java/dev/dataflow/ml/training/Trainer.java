package dev.dataflow.ml.training;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ModelFormat;
import dev.dataflow.ml.Task;
import dev.dataflow.ml.registry.ModelRegistry;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.sql.SqlService;
import java.util.LinkedHashMap;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * Trains an XGBoost classifier or regressor on the rows of a dataset or query and registers it as a
 * new model version with its parameters, held-out metrics, features and the snapshots read.
 */
public final class Trainer {
  private static final String ROUNDS = "num_round";

  private final SqlService sql;
  private final ModelRegistry registry;

  public Trainer(SqlService sql, ModelRegistry registry) {
    this.sql = requireNonNull(sql, "sql is null");
    this.registry = requireNonNull(registry, "registry is null");
  }

  public ModelVersion train(TrainSpec spec, String principal) {
    requireNonNull(spec, "spec is null");
    requireNonNull(principal, "principal is null");
    TrainingData data = TrainingData.read(sql, principal, spec);
    if (spec.task() == Task.CLASSIFICATION) {
      checkBinary(data.train.labels(), spec.target());
      checkBinary(data.test.labels(), spec.target());
    }
    Map<String, Object> parameters = parameters(spec);
    Booster booster = null;
    try {
      booster = fit(data, parameters);
      float[] predicted = predict(booster, data.test, data.features.size());
      float[] labels = data.test.labels();
      Map<String, Double> metrics =
          spec.task() == Task.CLASSIFICATION
              ? Metrics.classification(labels, predicted)
              : Metrics.regression(labels, predicted);
      Map<String, Object> recorded = new LinkedHashMap<>(parameters);
      recorded.put("test_fraction", spec.testFraction());
      recorded.put("target", spec.target());
      recorded.put("train_rows", data.train.count);
      recorded.put("test_rows", data.test.count);
      ModelVersion draft =
          new ModelVersion(
              spec.model(),
              0,
              ModelFormat.XGBOOST,
              spec.task(),
              data.features,
              recorded,
              metrics,
              data.lineage,
              spec.query(),
              "",
              spec.description(),
              principal,
              System.currentTimeMillis());
      return registry.register(draft, booster.toByteArray("ubj"));
    } catch (XGBoostError e) {
      throw Errors.invalid("XGBoost could not train: " + e.getMessage());
    } finally {
      if (booster != null) {
        booster.dispose();
      }
    }
  }

  private static Map<String, Object> parameters(TrainSpec spec) {
    Map<String, Object> parameters = new LinkedHashMap<>();
    boolean classifier = spec.task() == Task.CLASSIFICATION;
    parameters.put("objective", classifier ? "binary:logistic" : "reg:squarederror");
    parameters.put("eval_metric", classifier ? "logloss" : "rmse");
    parameters.put("max_depth", 6);
    parameters.put("eta", 0.3);
    parameters.put(ROUNDS, 100);
    parameters.put("seed", spec.seed());
    // the server shares two cores with every other request
    parameters.put("nthread", 2);
    parameters.putAll(spec.parameters());
    return parameters;
  }

  private static Booster fit(TrainingData data, Map<String, Object> parameters)
      throws XGBoostError {
    int rounds = rounds(parameters.get(ROUNDS));
    Map<String, Object> booster = new LinkedHashMap<>(parameters);
    booster.remove(ROUNDS);
    DMatrix train = matrix(data.train, data.features.size());
    try {
      Booster model = XGBoost.train(train, booster, rounds, Map.of(), null, null);
      model.setFeatureNames(data.features.stream().map(Feature::name).toArray(String[]::new));
      return model;
    } finally {
      train.dispose();
    }
  }

  private static int rounds(Object value) {
    try {
      int rounds = Integer.parseInt(String.valueOf(value));
      if (rounds > 0 && rounds <= 10_000) {
        return rounds;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw Errors.invalid(ROUNDS + " must be a whole number from 1 to 10000, not " + value);
  }

  private static DMatrix matrix(TrainingData.Part part, int width) throws XGBoostError {
    DMatrix matrix = new DMatrix(part.matrix(width), part.count, width, Float.NaN);
    matrix.setLabel(part.labels());
    return matrix;
  }

  private static float[] predict(Booster booster, TrainingData.Part part, int width)
      throws XGBoostError {
    float[][] out = booster.inplace_predict(part.matrix(width), part.count, width, Float.NaN);
    float[] flat = new float[part.count];
    for (int i = 0; i < part.count; i++) {
      flat[i] = out[i][0];
    }
    return flat;
  }

  private static void checkBinary(float[] labels, String target) {
    for (float label : labels) {
      if (label != 0 && label != 1) {
        throw Errors.invalid(
            "A classifier's target must be 0/1 or a boolean; "
                + target
                + " has the value "
                + label
                + " (use regression, or turn it into 0/1 in SQL)");
      }
    }
  }
}
