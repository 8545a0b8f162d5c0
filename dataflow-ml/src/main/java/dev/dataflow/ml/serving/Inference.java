package dev.dataflow.ml.serving;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dataflow.api.Prediction;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.serving.Endpoints.Served;

/**
 * Answers the Open Inference Protocol V2 (metadata, readiness, infer) and the simple {@code
 * instances} form for deployed models, as JSON trees; the HTTP layer only routes.
 */
public final class Inference {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OUTPUT = "predictions";

  private final Endpoints endpoints;
  private final PayloadLog log;

  /** {@code log} may be null: nothing is logged. */
  public Inference(Endpoints endpoints, PayloadLog log) {
    this.endpoints = requireNonNull(endpoints, "endpoints is null");
    this.log = log;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /** V2 {@code POST /v2/models/{m}[/versions/{v}]/infer}. */
  public ObjectNode infer(String model, int version, JsonNode body) {
    requireNonNull(body, "body is null");
    Served served = endpoints.served(model, version);
    ModelVersion v = served.version();
    FeatureRows rows = FeatureRows.v2(body, v.features());
    Prediction prediction = served.runtime().predict(rows.values(), rows.rows());
    ObjectNode answer = JSON.createObjectNode();
    answer.put("model_name", v.model());
    answer.put("model_version", Integer.toString(v.version()));
    if (body.hasNonNull("id")) {
      answer.set("id", body.get("id"));
    }
    ObjectNode output = answer.putArray("outputs").addObject();
    output.put("name", OUTPUT);
    output.put("datatype", "FP32");
    ArrayNode shape = output.putArray("shape").add(prediction.rows());
    if (prediction.columns() > 1) {
      shape.add(prediction.columns());
    }
    ArrayNode data = output.putArray("data");
    for (float value : prediction.values()) {
      data.add(value);
    }
    logged(v, body, answer);
    return answer;
  }

  /** The simple form: {@code {"instances": […]}} → {@code {"predictions": […]}}. */
  public ObjectNode predict(String model, int version, JsonNode body) {
    requireNonNull(body, "body is null");
    Served served = endpoints.served(model, version);
    ModelVersion v = served.version();
    FeatureRows rows = FeatureRows.instances(body, v.features());
    Prediction prediction = served.runtime().predict(rows.values(), rows.rows());
    ObjectNode answer = JSON.createObjectNode();
    ArrayNode predictions = answer.putArray("predictions");
    for (int row = 0; row < prediction.rows(); row++) {
      if (prediction.columns() == 1) {
        predictions.add(prediction.value(row, 0));
      } else {
        ArrayNode values = predictions.addArray();
        for (int column = 0; column < prediction.columns(); column++) {
          values.add(prediction.value(row, column));
        }
      }
    }
    answer.put("model_version", Integer.toString(v.version()));
    logged(v, body, answer);
    return answer;
  }

  private void logged(ModelVersion version, JsonNode request, JsonNode response) {
    if (log != null) {
      log.offer(version.model(), version.version(), request, response);
    }
  }

  /** V2 model metadata: name, versions, platform, inputs and outputs. */
  public ObjectNode metadata(String model, int version) {
    ModelVersion v =
        version == ModelRef.LATEST
            ? endpoints.route(model).primary().version()
            : endpoints.served(model, version).version();
    ObjectNode answer = JSON.createObjectNode();
    answer.put("name", v.model());
    answer.putArray("versions").add(Integer.toString(v.version()));
    answer.put("platform", v.format().platform());
    ArrayNode inputs = answer.putArray("inputs");
    for (Feature feature : v.features()) {
      ObjectNode input = inputs.addObject();
      input.put("name", feature.name());
      input.put("datatype", feature.datatype());
      input.putArray("shape").add(-1);
    }
    ObjectNode output = answer.putArray("outputs").addObject();
    output.put("name", OUTPUT);
    output.put("datatype", "FP32");
    output.putArray("shape").add(-1);
    return answer;
  }

  /** V2 model readiness: true once deployed and loaded (a deployed route is always loaded). */
  public boolean ready(String model, int version) {
    endpoints.served(model, version);
    return true;
  }
}
