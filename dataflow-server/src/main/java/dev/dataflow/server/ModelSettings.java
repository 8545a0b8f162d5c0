package dev.dataflow.server;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ml.Models.PayloadSettings;
import java.time.Duration;

/**
 * Payload logging settings from the environment: {@code DATAFLOW_PAYLOAD_SAMPLE_RATE} (0 to 1,
 * default 0: off), {@code DATAFLOW_PAYLOAD_TABLE} (default {@code monitoring.model_payloads}).
 */
final class ModelSettings {
  private ModelSettings() {}

  static PayloadSettings payloads() {
    PayloadSettings defaults = PayloadSettings.defaults();
    String rate = System.getenv("DATAFLOW_PAYLOAD_SAMPLE_RATE");
    String table = System.getenv("DATAFLOW_PAYLOAD_TABLE");
    return new PayloadSettings(
        table == null || table.isBlank() ? defaults.table() : DatasetPath.parse(table),
        rate == null || rate.isBlank() ? defaults.sampleRate() : sampleRate(rate),
        Duration.ofSeconds(5));
  }

  private static double sampleRate(String text) {
    try {
      double rate = Double.parseDouble(text.trim());
      if (rate >= 0 && rate <= 1) {
        return rate;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(
        "DATAFLOW_PAYLOAD_SAMPLE_RATE must be a number from 0 to 1, not '" + text + "'");
  }
}
