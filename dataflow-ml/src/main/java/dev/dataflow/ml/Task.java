package dev.dataflow.ml;

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
}
