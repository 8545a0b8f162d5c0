package dev.dataflow.ml.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.ModelRuntime;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.ModelFormat;

/** Loads a model file with the runtime of its format, checking it takes {@code featureCount}. */
public final class Runtimes {
  private Runtimes() {}

  public static ModelRuntime load(ModelFormat format, byte[] file, int featureCount) {
    requireNonNull(format, "format is null");
    ModelRuntime runtime =
        format == ModelFormat.ONNX ? OnnxModel.load(file) : XgboostModel.load(file);
    if (runtime.featureCount() != featureCount) {
      runtime.close();
      throw Errors.invalid(
          "The model takes "
              + runtime.featureCount()
              + " features per row but "
              + featureCount
              + " were declared");
    }
    return runtime;
  }
}
