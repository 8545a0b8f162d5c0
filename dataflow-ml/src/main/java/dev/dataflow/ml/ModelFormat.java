package dev.dataflow.ml;

/** How a model file is stored and which runtime predicts with it. */
public enum ModelFormat {
  /** XGBoost's own UBJSON model, predicted by XGBoost4J. */
  XGBOOST("xgboost", "model.ubj"),
  /** An ONNX graph, predicted by ONNX Runtime. */
  ONNX("onnxruntime", "model.onnx");

  private final String platform;
  private final String fileName;

  ModelFormat(String platform, String fileName) {
    this.platform = platform;
    this.fileName = fileName;
  }

  /** The platform named in V2 model metadata. */
  public String platform() {
    return platform;
  }

  public String fileName() {
    return fileName;
  }

  public static ModelFormat parse(String text) {
    for (ModelFormat format : values()) {
      if (format.name().equalsIgnoreCase(text)) {
        return format;
      }
    }
    throw Errors.invalid("Unknown model format '" + text + "': use onnx or xgboost");
  }
}
