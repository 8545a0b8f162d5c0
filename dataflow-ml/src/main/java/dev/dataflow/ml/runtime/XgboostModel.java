package dev.dataflow.ml.runtime;

import dev.dataflow.api.ModelRuntime;
import dev.dataflow.api.Prediction;
import dev.dataflow.ml.Errors;
import java.io.IOException;
import java.util.List;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.XGBoost;
import ml.dmlc.xgboost4j.java.XGBoostError;

/**
 * An XGBoost booster predicting in place from the float array: no DMatrix is built per request,
 * which is what makes batch-of-one inference cheap.
 */
public final class XgboostModel implements ModelRuntime {
  private final Booster booster;
  private final int featureCount;

  private XgboostModel(Booster booster, int featureCount) {
    this.booster = booster;
    this.featureCount = featureCount;
  }

  /** Loads a model file (UBJSON or JSON); a file XGBoost cannot read is INVALID_ARGUMENT. */
  public static XgboostModel load(byte[] model) {
    try {
      Booster booster = XGBoost.loadModel(model);
      // a request is a few rows: parallelism comes from concurrent requests, and XGBoost's own
      // threads per call would only add hand-offs between them
      booster.setParam("nthread", 1);
      return new XgboostModel(booster, (int) booster.getNumFeature());
    } catch (XGBoostError | IOException | RuntimeException e) {
      throw Errors.invalid("Not a readable XGBoost model file: " + firstLine(e.getMessage()));
    }
  }

  /** The feature names stored in a model file; empty when it has none. */
  public static List<String> featureNames(byte[] model) {
    try (XgboostModel loaded = load(model)) {
      String[] names = loaded.booster.getFeatureNames();
      return names == null ? List.of() : List.of(names);
    } catch (XGBoostError e) {
      return List.of();
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "unknown error";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public Prediction predict(float[] features, int rows) {
    try {
      float[][] out = booster.inplace_predict(features, rows, featureCount, Float.NaN);
      int columns = out.length == 0 ? 1 : out[0].length;
      float[] values = new float[rows * columns];
      for (int row = 0; row < rows; row++) {
        System.arraycopy(out[row], 0, values, row * columns, columns);
      }
      return new Prediction(values, rows, columns);
    } catch (XGBoostError e) {
      throw Errors.invalid("XGBoost could not predict: " + firstLine(e.getMessage()));
    }
  }

  @Override
  public void close() {
    booster.dispose();
  }
}
