package dev.dataflow.server.http;

import io.javalin.config.JavalinConfig;

/** The routes of {@code /api/v1/models} and of the V2 inference protocol under {@code /v2}. */
final class ModelRoutes {
  private ModelRoutes() {}

  static void add(JavalinConfig config, ModelsApi models, InferenceApi inference) {
    String base = HttpApi.BASE + "/models";
    config.routes.get(base, models::list);
    config.routes.get(base + "/{name}", models::show);
    config.routes.put(base + "/{name}", models::describe);
    config.routes.post(base + "/{name}/train", models::train);
    config.routes.post(base + "/{name}/versions", models::importModel);
    config.routes.get(base + "/{name}/versions/{version}", models::version);
    config.routes.put(base + "/{name}/aliases/{alias}", models::alias);
    config.routes.delete(base + "/{name}/aliases/{alias}", models::removeAlias);
    config.routes.put(base + "/{name}/deployment", models::deploy);
    config.routes.delete(base + "/{name}/deployment", models::undeploy);
    config.routes.post(base + "/{name}/score", models::score);
    addInference(config, inference);
  }

  /** The V2 inference protocol alone: what a serving process answers. */
  static void addInference(JavalinConfig config, InferenceApi inference) {
    String v2 = InferenceApi.BASE;
    config.routes.get(v2, inference::server);
    config.routes.get(v2 + "/health/live", inference::live);
    config.routes.get(v2 + "/health/ready", inference::ready);
    for (String model : new String[] {"/models/{model}", "/models/{model}/versions/{version}"}) {
      config.routes.get(v2 + model, inference.metadata());
      config.routes.get(v2 + model + "/ready", inference.modelReady());
      config.routes.post(v2 + model + "/infer", inference.infer());
    }
  }
}
