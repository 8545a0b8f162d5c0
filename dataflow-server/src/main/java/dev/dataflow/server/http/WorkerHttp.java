package dev.dataflow.server.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ml.Models;
import dev.dataflow.server.auth.Authenticator;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/**
 * What a worker or a serving process answers over HTTP: its health for probes and its metrics for
 * scrapers, and on a serving process the V2 inference protocol; all behind the same authentication
 * as every other route. Everything else such a process does, it does through the metadata store.
 */
public final class WorkerHttp implements AutoCloseable {
  private final Javalin app;

  private WorkerHttp(Javalin app) {
    this.app = app;
  }

  /** Starts serving; with {@code models} (may be null) the {@code /v2} routes too. */
  public static WorkerHttp start(
      PrometheusMeterRegistry metrics, Authenticator auth, Models models, String host, int port) {
    requireNonNull(metrics, "metrics is null");
    requireNonNull(auth, "auth is null");
    return new WorkerHttp(
        Javalin.create(
                config -> {
                  HttpApi.settings(config, host, port);
                  config.routes.before(ctx -> HttpApi.authenticate(ctx, auth));
                  config.routes.get(
                      HttpApi.BASE + "/health", ctx -> ctx.json(Map.of("status", "ok")));
                  config.routes.get(
                      "/metrics",
                      ctx -> ctx.contentType(HttpApi.PROMETHEUS_TEXT).result(metrics.scrape()));
                  if (models != null) {
                    ModelRoutes.addInference(config, new InferenceApi(models.inference()));
                  }
                  HttpApi.errors(config);
                })
            .start());
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
  }
}
