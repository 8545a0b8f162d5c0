package dev.dataflow.api;

/** A model's output for a batch: {@code rows × columns} floats, row-major. */
public record Prediction(float[] values, int rows, int columns) {
  public float value(int row, int column) {
    return values[row * columns + column];
  }

  /**
   * A row's one number for a table column or SQL: its last value, which is the prediction of a
   * one-output model and the positive class's probability of a two-class one ({@code [n, 2]}, as
   * scikit-learn classifiers export it).
   */
  public float score(int row) {
    return values[row * columns + columns - 1];
  }
}
