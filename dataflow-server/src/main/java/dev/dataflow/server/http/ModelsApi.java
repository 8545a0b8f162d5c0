package dev.dataflow.server.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ImportSpec;
import dev.dataflow.ml.ModelFormat;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.Models;
import dev.dataflow.ml.Task;
import dev.dataflow.ml.registry.ModelRegistry.Deployment;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.scoring.BatchScorer.ScoreSpec;
import dev.dataflow.ml.serving.Endpoints.Route;
import dev.dataflow.ml.training.TrainSpec;
import dev.dataflow.sql.write.TableWriter.WriteResult;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /models}: train, import, list and show models and versions, set aliases and descriptions,
 * deploy a version or alias (with a canary share) and score a dataset into a lake table. A model's
 * deployment is answered from its live route, so it names the versions that answer requests.
 */
final class ModelsApi {
  private static final int MAX_FILE_BYTES = 1 << 30;

  private final Models models;

  ModelsApi(Models models) {
    this.models = models;
  }

  record TrainBody(
      String dataset,
      String sql,
      String target,
      List<String> features,
      String task,
      Map<String, Object> params,
      @JsonProperty("test_fraction") Double testFraction,
      Long seed,
      String description) {}

  record AliasBody(int version) {}

  record DescriptionBody(String description) {}

  record DeployBody(
      String target, String canary, @JsonProperty("canary_percent") Integer canaryPercent) {}

  record ScoreBody(
      String version, String dataset, String sql, String output, String column, boolean replace) {}

  void list(Context ctx) {
    ctx.json(models.registry().models());
  }

  void show(Context ctx) {
    String name = ctx.pathParam("name");
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("model", models.registry().model(name));
    answer.put("versions", models.registry().versions(name));
    Route route = models.endpoints().deployed(name);
    answer.put("deployment", route == null ? null : deployment(route));
    ctx.json(answer);
  }

  void describe(Context ctx) {
    String name = ctx.pathParam("name");
    models
        .registry()
        .describe(
            name,
            Requests.body(ctx, DescriptionBody.class, "{\"description\": \"…\"}").description());
    ctx.json(models.registry().model(name));
  }

  void train(Context ctx) {
    TrainBody body = Requests.body(ctx, TrainBody.class, "a training request (see the API docs)");
    TrainSpec spec =
        new TrainSpec(
            ModelRef.checkName(ctx.pathParam("name"), "model"),
            body.dataset(),
            body.sql(),
            body.target(),
            body.features(),
            Task.parse(body.task() == null ? "classification" : body.task()),
            body.params(),
            body.testFraction() == null ? 0.2 : body.testFraction(),
            body.seed() == null ? 42 : body.seed(),
            body.description());
    ctx.status(201).json(models.train(spec, Requests.principal(ctx).name()));
  }

  /** The body is the model file; format, task and features are query parameters. */
  void importModel(Context ctx) {
    String features = ctx.queryParam("features");
    ImportSpec spec =
        new ImportSpec(
            ctx.pathParam("name"),
            ModelFormat.parse(required(ctx, "format")),
            Task.parse(required(ctx, "task")),
            features == null || features.isBlank()
                ? List.of()
                : Arrays.stream(features.split(",")).map(Feature::parse).toList(),
            ctx.queryParam("description"));
    ModelVersion version = models.importModel(spec, file(ctx), Requests.principal(ctx).name());
    ctx.status(201).json(version);
  }

  /**
   * The uploaded file, read from the stream: the server's request limit is sized for JSON and YAML
   * bodies, far below what a model file may weigh.
   */
  private static byte[] file(Context ctx) {
    try (InputStream in = ctx.bodyInputStream()) {
      byte[] file = in.readNBytes(MAX_FILE_BYTES + 1);
      if (file.length > MAX_FILE_BYTES) {
        throw new ApiException(
            413,
            "CONTENT_TOO_LARGE",
            "A model file may weigh at most " + MAX_FILE_BYTES + " bytes");
      }
      return file;
    } catch (IOException e) {
      throw Errors.invalid("Cannot read the uploaded file: " + e.getMessage());
    }
  }

  private static String required(Context ctx, String parameter) {
    String value = ctx.queryParam(parameter);
    if (value == null || value.isBlank()) {
      throw Errors.invalid("Query parameter " + parameter + " is required");
    }
    return value;
  }

  void version(Context ctx) {
    ctx.json(
        models.registry().resolve(ModelRef.of(ctx.pathParam("name"), ctx.pathParam("version"))));
  }

  void alias(Context ctx) {
    String name = ctx.pathParam("name");
    AliasBody body = Requests.body(ctx, AliasBody.class, "{\"version\": 3}");
    models.alias(name, ctx.pathParam("alias"), body.version());
    ctx.json(models.registry().model(name));
  }

  void removeAlias(Context ctx) {
    String name = ctx.pathParam("name");
    if (!models.registry().removeAlias(name, ctx.pathParam("alias"))) {
      throw Errors.notFound("Model " + name + " has no alias " + ctx.pathParam("alias"));
    }
    ctx.status(204);
  }

  void deploy(Context ctx) {
    DeployBody body =
        Requests.body(ctx, DeployBody.class, "{\"target\": \"champion\", \"canary\": …}");
    Deployment deployment =
        new Deployment(
            ctx.pathParam("name"),
            body.target() == null ? "" : body.target(),
            body.canary(),
            body.canaryPercent() == null ? 0 : body.canaryPercent());
    ctx.json(deployment(models.endpoints().deploy(deployment)));
  }

  /** A deployment as asked for (target, canary) and the versions that answer now. */
  private static Map<String, Object> deployment(Route route) {
    Deployment deployment = route.deployment();
    Map<String, Object> answer = new LinkedHashMap<>();
    answer.put("model", deployment.model());
    answer.put("target", deployment.target());
    answer.put("canary", deployment.canary());
    answer.put("canary_percent", deployment.canaryPercent());
    answer.put("version", route.primary().version().version());
    answer.put("canary_version", route.canary() == null ? 0 : route.canary().version().version());
    return answer;
  }

  void undeploy(Context ctx) {
    models.endpoints().undeploy(ctx.pathParam("name"));
    ctx.status(204);
  }

  void score(Context ctx) {
    ScoreBody body = Requests.body(ctx, ScoreBody.class, "a scoring request (see the API docs)");
    if ((body.dataset() == null) == (body.sql() == null) || body.output() == null) {
      throw Errors.invalid("Score a dataset or a SQL query (one of the two) into an output table");
    }
    String query = body.sql() != null ? body.sql() : "SELECT * FROM " + body.dataset();
    DatasetPath output = DatasetPath.parse(body.output());
    WriteResult written =
        models.score(
            ModelRef.of(ctx.pathParam("name"), body.version()),
            new ScoreSpec(query, output, body.column(), body.replace()),
            Requests.principal(ctx).name());
    ctx.status(201)
        .json(
            Map.of(
                "table", output.toString(),
                "rows", written.rows(),
                "snapshot_id", written.snapshotId()));
  }
}
