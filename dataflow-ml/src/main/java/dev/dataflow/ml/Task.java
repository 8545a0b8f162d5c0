package dev.dataflow.ml;

import java.util.Locale;

/** What a model predicts: the probability of the positive class, or a number. */
public enum Task {
  CLASSIFICATION,
  REGRESSION;

  public static Task parse(String text) {
    for (Task task : values()) {
      if (task.name().equalsIgnoreCase(text)) {
        return task;
      }
    }
    throw Errors.invalid("Unknown task '" + text + "': use classification or regression");
  }

  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
