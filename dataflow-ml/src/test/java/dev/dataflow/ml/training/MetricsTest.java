package dev.dataflow.ml.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

class MetricsTest {
  @Test
  void aucCountsPairsAndTiesHalf() {
    // positives at 0.8 and 0.4, negatives at 0.4 and 0.1: pairs won 1 + 1 + 0.5 + 1 of 4
    float[] labels = {1, 0, 1, 0};
    float[] scores = {0.8f, 0.4f, 0.4f, 0.1f};
    assertThat(Metrics.auc(labels, scores)).isEqualTo(0.875);
    assertThat(Metrics.auc(new float[] {1, 1}, new float[] {0.1f, 0.2f})).isNaN();
  }

  @Test
  void classificationMetrics() {
    Map<String, Double> metrics =
        Metrics.classification(new float[] {1, 0, 1, 0}, new float[] {0.9f, 0.2f, 0.4f, 0.6f});
    assertThat(metrics.get("accuracy")).isEqualTo(0.5);
    double logLoss = -(Math.log(0.9) + Math.log(0.8) + Math.log(0.4) + Math.log(0.4)) / 4;
    assertThat(metrics.get("log_loss")).isCloseTo(logLoss, within(1e-6));
    assertThat(metrics.get("auc")).isEqualTo(0.75);
  }

  @Test
  void regressionMetrics() {
    Map<String, Double> metrics =
        Metrics.regression(new float[] {1, 2, 3, 4}, new float[] {1, 2, 3, 6});
    assertThat(metrics.get("rmse")).isCloseTo(1.0, within(1e-9));
    assertThat(metrics.get("mae")).isCloseTo(0.5, within(1e-9));
    assertThat(metrics.get("r2")).isCloseTo(1 - 4 / 5.0, within(1e-9));
  }
}
