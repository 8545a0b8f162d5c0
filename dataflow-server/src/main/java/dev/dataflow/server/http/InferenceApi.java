package dev.dataflow.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.serving.Inference;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.io.IOException;
import java.util.Map;

/**
 * KServe's Open Inference Protocol V2 over REST under {@code /v2}: health, server and model
 * metadata, readiness and infer. {@code infer} also takes the simple form {@code {"instances":
 * […]}} and answers it with {@code {"predictions": […]}}. Errors are answered as V2 clients expect
 * them, {@code {"error": "…"}} (with this API's {@code code} beside it).
 */
final class InferenceApi {
  static final String BASE = "/v2";

  private final Inference inference;

  InferenceApi(Inference inference) {
    this.inference = inference;
  }

  void live(Context ctx) {
    ctx.json(Map.of("live", true));
  }

  void ready(Context ctx) {
    ctx.json(Map.of("ready", true));
  }

  void server(Context ctx) {
    ctx.json(Map.of("name", "dataflow", "version", "0.1.0", "extensions", new String[0]));
  }

  Handler metadata() {
    return v2(ctx -> ctx.json(inference.metadata(model(ctx), version(ctx))));
  }

  Handler modelReady() {
    return v2(
        ctx ->
            ctx.json(
                Map.of("name", model(ctx), "ready", inference.ready(model(ctx), version(ctx)))));
  }

  Handler infer() {
    return v2(
        ctx -> {
          JsonNode body = body(ctx);
          ctx.json(
              body.has("instances")
                  ? inference.predict(model(ctx), version(ctx), body)
                  : inference.infer(model(ctx), version(ctx), body));
        });
  }

  private static Handler v2(Handler handler) {
    return ctx -> {
      try {
        handler.handle(ctx);
      } catch (DataflowException e) {
        ctx.status(e.code().httpStatus())
            .json(Map.of("error", e.getMessage(), "code", e.code().name()));
      }
    };
  }

  private static JsonNode body(Context ctx) {
    try {
      JsonNode body = Requests.JSON.readTree(ctx.bodyInputStream());
      if (body == null || !body.isObject()) {
        throw Errors.invalid("The body must be a JSON object with inputs (or instances)");
      }
      return body;
    } catch (JsonProcessingException e) {
      throw Errors.invalid("The body is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw Errors.invalid("Cannot read the request body: " + e.getMessage());
    }
  }

  private static String model(Context ctx) {
    return ctx.pathParam("model");
  }

  private static int version(Context ctx) {
    String version = ctx.pathParamMap().get("version");
    return version == null ? ModelRef.LATEST : ModelRef.parse(model(ctx) + ":" + version).version();
  }
}
