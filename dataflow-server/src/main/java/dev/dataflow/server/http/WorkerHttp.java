package dev.dataflow.server.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.server.auth.Authenticator;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;

/**
 * What a worker serves over HTTP: its health for probes and its metrics for scrapers, behind the
 * same authentication as every other route. Everything else a worker does, it does through the
 * metadata store.
 */
public final class WorkerHttp implements AutoCloseable {
  private final Javalin app;

  private WorkerHttp(Javalin app) {
    this.app = app;
  }

  public static WorkerHttp start(
      PrometheusMeterRegistry metrics, Authenticator auth, String host, int port) {
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
