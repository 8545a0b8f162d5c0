package dev.dataflow.server.http;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.http.HttpIngest;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpecs;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * {@code /pipelines}: apply a pipeline's YAML, start and stop it, follow its state, runs and live
 * counters, preview it, and read its error records.
 */
final class PipelinesApi {
  record Applied(String name, String state) {}

  private final Pipelines pipelines;
  private final SqlService sql;

  PipelinesApi(Pipelines pipelines, SqlService sql) {
    this.pipelines = pipelines;
    this.sql = sql;
  }

  void list(Context ctx) {
    ctx.json(pipelines.list());
  }

  /** The processes that run pipelines, each with the pipelines it runs now. */
  void workers(Context ctx) {
    ctx.json(pipelines.workers().list());
  }

  /**
   * The body is the pipeline's YAML; its name must be the one in the URL. Relative paths in it
   * resolve against the directory given as query parameter {@code base} (the CLI sends the YAML
   * file's), else the server's working directory.
   */
  void apply(Context ctx) {
    String name = ctx.pathParam("name");
    String base = ctx.queryParam("base");
    java.nio.file.Path source =
        java.nio.file.Path.of(base == null || base.isBlank() ? "." : base).resolve(name + ".yaml");
    // checked before anything is stored: a refused request changes nothing
    PipelineSpec spec = PipelineSpecs.parse(ctx.body(), source);
    if (!spec.name().equals(name)) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "The YAML names pipeline " + spec.name() + ", the URL " + name);
    }
    pipelines.apply(ctx.body(), source);
    ctx.json(new Applied(spec.name(), pipelines.status(name).state().name()));
  }

  void status(Context ctx) {
    String name = ctx.pathParam("name");
    ctx.json(
        Map.of(
            "status",
            pipelines.status(name),
            "definition",
            pipelines.definition(name),
            "stages",
            PipelineStages.of(pipelines.spec(name))));
  }

  void start(Context ctx) {
    pipelines.start(ctx.pathParam("name"));
    ctx.json(pipelines.status(ctx.pathParam("name")));
  }

  void stop(Context ctx) {
    pipelines.stop(ctx.pathParam("name"));
    ctx.json(pipelines.status(ctx.pathParam("name")));
  }

  void delete(Context ctx) {
    pipelines.delete(ctx.pathParam("name"));
    ctx.status(204);
  }

  void runs(Context ctx) {
    ctx.json(
        pipelines.runs(ctx.pathParam("name"), (int) Requests.number(ctx, "limit", 20, 1, 1000)));
  }

  void preview(Context ctx) {
    ctx.json(
        pipelines.preview(
            ctx.pathParam("name"), (int) Requests.number(ctx, "limit", 20, 1, 10_000)));
  }

  /**
   * Rows pushed to a running pipeline with an http origin: 202 once they are spooled durably, 429
   * with Retry-After while the pipeline is too far behind.
   */
  void ingest(Context ctx) {
    String name = ctx.pathParam("name");
    HttpIngest spool = pipelines.http(name);
    if (spool == null) {
      String why =
          pipelines.spec(name).origin() instanceof PipelineSpec.HttpOrigin
              ? "is not running; start it first"
              : "does not have an http origin; only such pipelines take pushed rows";
      throw new ApiException(409, "NOT_ACCEPTING", "Pipeline " + name + " " + why);
    }
    try {
      HttpIngest.Accepted accepted = spool.accept(ctx.bodyAsBytes(), ctx.contentType());
      ctx.status(202)
          .json(Map.of("accepted", accepted.accepted(), "sequence", accepted.sequence()));
    } catch (HttpIngest.Behind e) {
      ctx.header("Retry-After", Long.toString(e.retryAfterSeconds()));
      throw e;
    }
  }

  /** The newest error records of the pipeline, read from its error table through SQL (a job). */
  void errors(Context ctx) {
    String name = ctx.pathParam("name");
    PipelineSpec spec = pipelines.spec(name);
    long limit = Requests.number(ctx, "limit", 100, 1, 10_000);
    if (sql.lake().tableOrNull(spec.errors().table()) == null) {
      ctx.json(Map.of("columns", List.of(), "rows", List.of()));
      return;
    }
    String query =
        "SELECT run_id, file, row, stage, reason, raw, recorded_at FROM "
            + spec.errors().table()
            + " WHERE pipeline = "
            + Engine.literal(name)
            + " ORDER BY recorded_at DESC, file, row LIMIT "
            + limit;
    List<String> columns = new ArrayList<>();
    List<List<Object>> rows = new ArrayList<>();
    try (Execution execution = sql.execute(Requests.principal(ctx).name(), query)) {
      execution.schema().getFields().forEach(field -> columns.add(field.getName()));
      while (execution.next()) {
        VectorSchemaRoot batch = execution.batch();
        for (int r = 0; r < batch.getRowCount(); r++) {
          rows.add(ArrowJson.row(batch, r));
        }
      }
    }
    ctx.json(Map.of("columns", columns, "rows", rows));
  }
}
