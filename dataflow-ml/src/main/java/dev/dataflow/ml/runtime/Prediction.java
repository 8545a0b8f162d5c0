package dev.dataflow.ml.runtime;

/** A model's output for a batch: {@code rows × columns} floats, row-major. */
public record Prediction(float[] values, int rows, int columns) {
  public float value(int row, int column) {
    return values[row * columns + column];
  }
}
