package dev.dataflow.ml.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.dataflow.api.ModelRuntime;
import dev.dataflow.api.Prediction;
import dev.dataflow.ml.Errors;
import java.nio.FloatBuffer;
import java.util.Map;
import java.util.Set;

/**
 * An ONNX graph run by ONNX Runtime. The graph must take one float tensor of shape {@code [n,
 * features]} (the shape scikit-learn, XGBoost and PyTorch exporters give tabular models); its first
 * float tensor output is the prediction.
 */
public final class OnnxModel implements ModelRuntime {
  private static final OrtEnvironment ENVIRONMENT = OrtEnvironment.getEnvironment();

  private final OrtSession session;
  private final String input;
  private final String output;
  private final int featureCount;

  private OnnxModel(OrtSession session, String input, String output, int featureCount) {
    this.session = session;
    this.input = input;
    this.output = output;
    this.featureCount = featureCount;
  }

  /** Loads and checks a graph; a corrupt file or an unusable signature is INVALID_ARGUMENT. */
  public static OnnxModel load(byte[] model) {
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      // one request is small: its own threads would only contend with the server's
      options.setIntraOpNumThreads(1);
      session = ENVIRONMENT.createSession(model, options);
    } catch (OrtException | RuntimeException e) {
      throw Errors.invalid("Not a readable ONNX model: " + XgboostModel.firstLine(e.getMessage()));
    }
    try {
      return describe(session);
    } catch (RuntimeException | OrtException e) {
      close(session);
      throw e instanceof RuntimeException r ? r : Errors.invalid(e.getMessage());
    }
  }

  private static OnnxModel describe(OrtSession session) throws OrtException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (inputs.size() != 1) {
      throw Errors.invalid(
          "The ONNX model takes "
              + inputs.size()
              + " inputs "
              + inputs.keySet()
              + ": it must take one float tensor [n, features]");
    }
    NodeInfo input = inputs.values().iterator().next();
    long[] shape = floatTensor(input, "input").getShape();
    if (shape.length != 2 || shape[1] <= 0) {
      throw Errors.invalid(
          "The ONNX model's input "
              + input.getName()
              + " has shape "
              + java.util.Arrays.toString(shape)
              + ": it must be [n, features] with a fixed feature count");
    }
    for (NodeInfo output : session.getOutputInfo().values()) {
      if (output.getInfo() instanceof TensorInfo tensor && tensor.type == OnnxJavaType.FLOAT) {
        return new OnnxModel(session, input.getName(), output.getName(), (int) shape[1]);
      }
    }
    throw Errors.invalid(
        "The ONNX model has no float tensor output (outputs: " + session.getOutputNames() + ")");
  }

  private static TensorInfo floatTensor(NodeInfo node, String what) {
    if (node.getInfo() instanceof TensorInfo tensor && tensor.type == OnnxJavaType.FLOAT) {
      return tensor;
    }
    throw Errors.invalid(
        "The ONNX model's "
            + what
            + " "
            + node.getName()
            + " is "
            + node.getInfo()
            + ": it must be a float tensor");
  }

  @Override
  public int featureCount() {
    return featureCount;
  }

  @Override
  public Prediction predict(float[] features, int rows) {
    try (OnnxTensor tensor =
            OnnxTensor.createTensor(
                ENVIRONMENT, FloatBuffer.wrap(features), new long[] {rows, featureCount});
        OrtSession.Result result = session.run(Map.of(input, tensor), Set.of(output))) {
      OnnxTensor out = (OnnxTensor) result.get(0);
      FloatBuffer buffer = out.getFloatBuffer();
      float[] values = new float[buffer.remaining()];
      buffer.get(values);
      return new Prediction(values, rows, rows == 0 ? 1 : values.length / rows);
    } catch (OrtException e) {
      throw Errors.invalid("ONNX Runtime could not predict: " + e.getMessage());
    }
  }

  @Override
  public void close() {
    close(session);
  }

  private static void close(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      // the session's native memory is gone either way
    }
  }
}
