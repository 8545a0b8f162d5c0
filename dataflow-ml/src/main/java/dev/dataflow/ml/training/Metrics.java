package dev.dataflow.ml.training;

import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * Held-out metrics: AUC, log-loss and accuracy for a classifier; RMSE, MAE and R² for a regressor.
 */
final class Metrics {
  private static final double EPSILON = 1e-15;

  private Metrics() {}

  static Map<String, Double> classification(float[] labels, float[] probabilities) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("auc", auc(labels, probabilities));
    double logLoss = 0;
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      double p = Math.min(Math.max(probabilities[i], EPSILON), 1 - EPSILON);
      logLoss -= labels[i] == 1 ? Math.log(p) : Math.log(1 - p);
      correct += (probabilities[i] >= 0.5) == (labels[i] == 1) ? 1 : 0;
    }
    metrics.put("log_loss", logLoss / labels.length);
    metrics.put("accuracy", (double) correct / labels.length);
    return metrics;
  }

  /** The probability a random positive ranks above a random negative (ties count half). */
  static double auc(float[] labels, float[] scores) {
    Integer[] order = IntStream.range(0, scores.length).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> scores[i]));
    double rankSum = 0;
    long positives = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      while (j + 1 < order.length && scores[order[j + 1]] == scores[order[i]]) {
        j++;
      }
      double rank = (i + j) / 2.0 + 1;
      for (int k = i; k <= j; k++) {
        if (labels[order[k]] == 1) {
          rankSum += rank;
          positives++;
        }
      }
      i = j + 1;
    }
    long negatives = labels.length - positives;
    if (positives == 0 || negatives == 0) {
      return Double.NaN;
    }
    return (rankSum - positives * (positives + 1) / 2.0) / ((double) positives * negatives);
  }

  static Map<String, Double> regression(float[] labels, float[] predictions) {
    double mean = 0;
    for (float label : labels) {
      mean += label;
    }
    mean /= labels.length;
    double squared = 0;
    double absolute = 0;
    double total = 0;
    for (int i = 0; i < labels.length; i++) {
      double error = labels[i] - predictions[i];
      squared += error * error;
      absolute += Math.abs(error);
      total += (labels[i] - mean) * (labels[i] - mean);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("rmse", Math.sqrt(squared / labels.length));
    metrics.put("mae", absolute / labels.length);
    metrics.put("r2", total == 0 ? Double.NaN : 1 - squared / total);
    return metrics;
  }
}
