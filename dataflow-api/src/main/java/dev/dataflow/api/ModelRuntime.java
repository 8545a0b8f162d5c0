package dev.dataflow.api;

/**
 * A loaded model that predicts for a batch of rows (dataflow-ml implements it over XGBoost and ONNX
 * Runtime). Features arrive row-major as 32-bit floats ({@code rows × featureCount}, NaN for a
 * missing value), the one layout both XGBoost and ONNX Runtime take without copying.
 * Implementations are safe to call from many threads at once; {@link #close()} is called once no
 * caller uses the model any more.
 */
public interface ModelRuntime extends AutoCloseable {
  int featureCount();

  Prediction predict(float[] features, int rows);

  @Override
  void close();
}
