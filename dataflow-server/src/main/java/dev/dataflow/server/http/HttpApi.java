package dev.dataflow.server.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.MetadataDb;
import dev.dataflow.ml.Models;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.iceberg.IcebergCatalog;
import dev.dataflow.server.iceberg.IcebergErrors;
import dev.dataflow.sql.Admission;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.catalog.CatalogBrowser;
import dev.dataflow.sql.catalog.DatasetNotes;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.ExceptionHandler;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import io.javalin.json.JavalinJackson;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The REST API under {@code /api/v1} (Javalin on Jetty, JSON by Jackson); its OpenAPI document is
 * {@code /api/v1/openapi.yaml}; metrics in Prometheus text are {@code /metrics}; the Iceberg REST
 * catalog is {@code /iceberg} (see {@link IcebergCatalog}; its spec is Iceberg's own). Every
 * request but the health check and that document is authenticated first, by the one {@link
 * Authenticator} (a scraper sends Basic credentials). Every error is answered as {@link ErrorBody}
 * with the status of its code; nothing a client sends can stop the server.
 */
public final class HttpApi implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);
  static final String BASE = "/api/v1";
  private static final String OPENAPI = BASE + "/openapi.yaml";
  private static final Set<String> OPEN_PATHS = Set.of(BASE + "/health", OPENAPI);
  // Prometheus text exposition format 0.0.4, which every scraper reads
  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final Javalin app;
  private final JobRunner runner;
  private final ResultFiles results;
  private final DatasetNotes notes;
  private final ScheduledExecutorService cleaner;

  private HttpApi(
      Javalin app,
      JobRunner runner,
      ResultFiles results,
      DatasetNotes notes,
      ScheduledExecutorService cleaner) {
    this.app = app;
    this.runner = runner;
    this.results = results;
    this.notes = notes;
    this.cleaner = cleaner;
  }

  /** The admission queue's figures, served on {@code /metrics} with everything else. */
  private static void registerQueueMetrics(Admission queue, MeterRegistry metrics) {
    Gauge.builder("dataflow.statements.running", queue, Admission::running)
        .description("Statements holding a slot")
        .register(metrics);
    Gauge.builder("dataflow.statements.queued", queue, Admission::queued)
        .description("Statements waiting in the queue for a slot")
        .register(metrics);
    FunctionCounter.builder("dataflow.statements.rejected", queue, Admission::rejected)
        .description("Statements refused because the queue was full")
        .register(metrics);
    FunctionCounter.builder("dataflow.statements.queue.timeouts", queue, Admission::timedOut)
        .description("Statements that waited in the queue past its timeout")
        .register(metrics);
  }

  /** Starts serving without the model routes; see the other {@code start}. */
  public static HttpApi start(
      SqlService sql,
      Pipelines pipelines,
      PrometheusMeterRegistry metrics,
      Authenticator auth,
      String host,
      int port) {
    return start(sql, pipelines, null, metrics, auth, host, port);
  }

  /**
   * Starts serving on {@code host} only; port 0 picks a free port (see {@link #port()}). With
   * {@code models} (may be null) it also serves {@code /api/v1/models} and the V2 inference
   * protocol under {@code /v2}, behind the same authentication.
   */
  public static HttpApi start(
      SqlService sql,
      Pipelines pipelines,
      Models models,
      PrometheusMeterRegistry metrics,
      Authenticator auth,
      String host,
      int port) {
    requireNonNull(sql, "sql is null");
    requireNonNull(pipelines, "pipelines is null");
    requireNonNull(metrics, "metrics is null");
    requireNonNull(auth, "auth is null");
    requireNonNull(host, "host is null");
    registerQueueMetrics(sql.admission(), metrics);
    byte[] openApi = openApiDocument();
    ResultFiles results = new ResultFiles(sql.dataDirectory().resolve("jobs"));
    results.deleteExpired();
    JobRunner runner = new JobRunner(sql, results);
    JobsApi jobs = new JobsApi(sql, runner, results);
    DatasetNotes notes = new DatasetNotes(sql.lake());
    CatalogApi catalog =
        new CatalogApi(sql.lake(), new CatalogBrowser(sql.lake(), sql.engine()), runner, notes);
    Javalin app;
    try {
      app =
          serve(
              host,
              port,
              auth,
              jobs,
              catalog,
              new PipelinesApi(pipelines, sql),
              sql.lake(),
              models,
              metrics,
              openApi);
    } catch (RuntimeException e) {
      runner.close();
      results.close();
      notes.close();
      throw e;
    }
    return new HttpApi(app, runner, results, notes, cleaner(results));
  }

  private static Javalin serve(
      String host,
      int port,
      Authenticator auth,
      JobsApi jobs,
      CatalogApi catalog,
      PipelinesApi pipelines,
      Lake lake,
      Models models,
      PrometheusMeterRegistry metrics,
      byte[] openApi) {
    return Javalin.create(
            config -> {
              settings(config, host, port);
              Console.serve(config);
              config.routes.before(ctx -> authenticate(ctx, auth));
              routes(config, jobs, catalog, openApi);
              routes(config, pipelines);
              IcebergCatalog.serve(config, lake);
              if (models != null) {
                ModelRoutes.add(
                    config, new ModelsApi(models), new InferenceApi(models.inference()));
              }
              config.routes.get(
                  "/metrics", ctx -> ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape()));
              errors(config);
            })
        .start();
  }

  static void settings(JavalinConfig config, String host, int port) {
    config.jetty.host = host;
    config.jetty.port = port;
    config.startup.showJavalinBanner = false;
    config.startup.showOldJavalinVersionWarning = false;
    config.jsonMapper(new JavalinJackson(Requests.JSON, false));
  }

  private static void routes(
      JavalinConfig config, JobsApi jobs, CatalogApi catalog, byte[] openApi) {
    config.routes.get(BASE + "/health", ctx -> ctx.json(Map.of("status", "ok")));
    config.routes.get(OPENAPI, ctx -> ctx.contentType("application/yaml").result(openApi));
    config.routes.post(BASE + "/sql", jobs::submit);
    config.routes.get(BASE + "/jobs", jobs::recent);
    config.routes.get(BASE + "/jobs/{id}", jobs::job);
    config.routes.get(BASE + "/jobs/{id}/results", jobs::results);
    config.routes.get(BASE + "/jobs/{id}/download", jobs::download);
    config.routes.post(BASE + "/jobs/{id}/cancel", jobs::cancel);
    config.routes.get(BASE + "/catalog", catalog::root);
    config.routes.get(BASE + "/catalog/{path}", catalog::entry);
    config.routes.get(BASE + "/catalog/{path}/snapshots", catalog::snapshots);
    config.routes.get(BASE + "/catalog/{path}/lineage", catalog::lineage);
    config.routes.get(BASE + "/catalog/{path}/notes", catalog::notes);
    config.routes.put(BASE + "/catalog/{path}/notes", catalog::putNotes);
    config.routes.put(BASE + "/views/{path}", catalog::putView);
    config.routes.delete(BASE + "/views/{path}", catalog::deleteView);
    config.routes.post(BASE + "/folders/{path}", catalog::createFolder);
  }

  private static void routes(JavalinConfig config, PipelinesApi pipelines) {
    String base = BASE + "/pipelines";
    config.routes.get(base, pipelines::list);
    config.routes.put(base + "/{name}", pipelines::apply);
    config.routes.get(base + "/{name}", pipelines::status);
    config.routes.delete(base + "/{name}", pipelines::delete);
    config.routes.post(base + "/{name}/start", pipelines::start);
    config.routes.post(base + "/{name}/stop", pipelines::stop);
    config.routes.post(base + "/{name}/preview", pipelines::preview);
    config.routes.get(base + "/{name}/runs", pipelines::runs);
    config.routes.get(base + "/{name}/errors", pipelines::errors);
    config.routes.post(base + "/{name}/ingest", pipelines::ingest);
    config.routes.get(BASE + "/workers", pipelines::workers);
  }

  static void authenticate(Context ctx, Authenticator auth) {
    // the console's own files are public (they hold no data); everything they show is API
    if (!OPEN_PATHS.contains(ctx.path()) && !Console.isAsset(ctx.path())) {
      Requests.principal(ctx, auth.authenticate(ctx.header("Authorization")));
    }
  }

  static void errors(JavalinConfig config) {
    config.routes.exception(DataflowException.class, orIceberg(HttpApi::answer));
    config.routes.exception(
        ApiException.class,
        orIceberg((e, ctx) -> answer(ctx, e.status(), e.code(), e.getMessage())));
    config.routes.exception(
        HttpResponseException.class,
        orIceberg(
            (e, ctx) ->
                answer(
                    ctx,
                    e.getStatus(),
                    HttpStatus.forStatus(e.getStatus()).name(),
                    e.getMessage())));
    config.routes.exception(
        Exception.class,
        orIceberg(
            (e, ctx) -> {
              if (MetadataDb.unreachable(e)) {
                // the catalog's own connection lost: as the metadata store's, a 503 to retry
                answer(
                    ctx,
                    ErrorCode.UNAVAILABLE.httpStatus(),
                    ErrorCode.UNAVAILABLE.name(),
                    "The metadata store cannot be reached; retry: " + e.getMessage());
                return;
              }
              LOG.error("Unexpected error answering {} {}", ctx.method(), ctx.path(), e);
              answer(ctx, 500, ErrorCode.INTERNAL.name(), "Unexpected error: " + e);
            }));
  }

  /** Errors under {@code /iceberg}, authentication's too, take the Iceberg spec's error body. */
  private static <E extends Exception> ExceptionHandler<E> orIceberg(ExceptionHandler<E> handler) {
    return (e, ctx) -> {
      if (IcebergCatalog.owns(ctx.path())) {
        IcebergErrors.answer(e, ctx);
      } else {
        handler.handle(e, ctx);
      }
    };
  }

  private static void answer(DataflowException e, Context ctx) {
    // a script (the console) asks for credentials itself: the challenge would open the browser's
    if (e.code() == ErrorCode.UNAUTHENTICATED && ctx.header("X-Requested-With") == null) {
      ctx.header("WWW-Authenticate", "Basic realm=\"Dataflow\", charset=\"UTF-8\"");
    }
    if (e.code() == ErrorCode.INTERNAL) {
      LOG.warn("Internal error answering {} {}", ctx.method(), ctx.path(), e);
    }
    ctx.status(e.code().httpStatus())
        .json(new ErrorBody(e.code().name(), e.getMessage(), e.line(), e.column()));
  }

  private static void answer(Context ctx, int status, String code, String message) {
    ctx.status(status).json(new ErrorBody(code, message, 0, 0));
  }

  private static byte[] openApiDocument() {
    try (InputStream in = HttpApi.class.getResourceAsStream("/openapi.yaml")) {
      if (in == null) {
        throw new IllegalStateException("openapi.yaml is missing from the server's resources");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Result files expire after a day even on a server that never restarts. */
  private static ScheduledExecutorService cleaner(ResultFiles results) {
    ScheduledExecutorService cleaner =
        Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("dataflow-result-cleaner"));
    cleaner.scheduleWithFixedDelay(results::deleteExpired, 1, 1, TimeUnit.HOURS);
    return cleaner;
  }

  /** The URL of a catalog entry, for Location headers. */
  static String catalogUrl(DatasetPath path) {
    return BASE
        + "/catalog/"
        + URLEncoder.encode(path.toString(), StandardCharsets.UTF_8).replace("+", "%20");
  }

  public int port() {
    return app.port();
  }

  @Override
  public void close() {
    app.stop();
    cleaner.shutdownNow();
    runner.close();
    notes.close();
    try {
      results.close();
    } catch (IllegalStateException e) {
      // a page was still being read as the server stopped: its buffers die with the process
      LOG.warn("Result reader memory still in use at shutdown: {}", e.getMessage());
    }
  }
}
