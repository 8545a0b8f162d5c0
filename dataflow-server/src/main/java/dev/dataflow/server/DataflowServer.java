package dev.dataflow.server;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.DataFileCache;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.Warehouse;
import dev.dataflow.lake.s3.S3Warehouse;
import dev.dataflow.ml.Models;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.flight.FlightSqlEndpoint;
import dev.dataflow.server.http.HttpApi;
import dev.dataflow.server.http.WorkerHttp;
import dev.dataflow.sql.SqlService;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Dataflow process in one {@link Role}: all of the platform (the lake, the SQL engine, REST and
 * Flight SQL, pipelines and models) or its coordinator's or a worker's part of it.
 */
public final class DataflowServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataflowServer.class);

  private final ServerConfig config;
  private final Lake lake;
  private final SqlService sql;
  private final Pipelines pipelines;
  private final Models models;
  private final HttpApi http;
  private final FlightSqlEndpoint flight;
  private final WorkerHttp workerHttp;

  private DataflowServer(
      ServerConfig config,
      Lake lake,
      SqlService sql,
      Pipelines pipelines,
      Models models,
      HttpApi http,
      FlightSqlEndpoint flight,
      WorkerHttp workerHttp) {
    this.config = config;
    this.lake = lake;
    this.sql = sql;
    this.pipelines = pipelines;
    this.models = models;
    this.http = http;
    this.flight = flight;
    this.workerHttp = workerHttp;
  }

  /** The whole platform in this process. */
  public static DataflowServer start(ServerConfig config) {
    return start(config, Role.ALL);
  }

  public static DataflowServer start(ServerConfig config, Role role) {
    requireNonNull(config, "config is null");
    requireNonNull(role, "role is null");
    Lake lake = Lake.open(config.lake());
    SqlService sql = new SqlService(lake, config.engine());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // every role reads the warehouse: workers' merges and compactions too
    registerCacheMetrics(lake.warehouse(), metrics);
    Pipelines pipelines =
        new Pipelines(
            sql, metrics, role.name().toLowerCase(java.util.Locale.ROOT), role.runsPipelines());
    Models models = null;
    try {
      Authenticator auth =
          config.password() == null
              ? Authenticator.open()
              : Authenticator.withPassword(config.password());
      if (!role.servesQueries()) {
        if (role == Role.SERVING) {
          models = Models.open(sql, ModelSettings.payloads());
        }
        WorkerHttp health =
            WorkerHttp.start(metrics, auth, models, config.host(), config.httpPort());
        pipelines.resume();
        LOG.info("Dataflow {} {} started: {}", role, pipelines.workers().id(), config);
        return new DataflowServer(config, lake, sql, pipelines, models, null, null, health);
      }
      if (config.demo()
          && Demo.loadIfAbsent(sql, config.demoScale())
          && config.examples() != null) {
        Demo.runExamples(pipelines, config.examples());
      }
      models = Models.open(sql, ModelSettings.payloads());
      if (config.demo()) {
        DemoModel.trainIfAbsent(models);
      }
      HttpApi http =
          HttpApi.start(sql, pipelines, models, metrics, auth, config.host(), config.httpPort());
      FlightSqlEndpoint flight =
          FlightSqlEndpoint.start(sql, auth, config.host(), config.flightPort());
      pipelines.resume();
      LOG.info("Dataflow started as {}: {}", role, config);
      return new DataflowServer(config, lake, sql, pipelines, models, http, flight, null);
    } catch (RuntimeException | Error e) {
      // an Error too (a class that fails to load): the HTTP threads already started would
      // otherwise keep the JVM waiting
      if (models != null) {
        models.close();
      }
      pipelines.close();
      sql.close();
      lake.close();
      throw e;
    }
  }

  /** The data file cache's figures, when the warehouse is in S3 and so read through one. */
  private static void registerCacheMetrics(Warehouse warehouse, MeterRegistry metrics) {
    if (!(warehouse instanceof S3Warehouse s3)) {
      return;
    }
    DataFileCache cache = s3.cache();
    FunctionCounter.builder("dataflow.cache.hits", cache, DataFileCache::hits)
        .description("Data file reads answered from the local cache")
        .register(metrics);
    FunctionCounter.builder("dataflow.cache.misses", cache, DataFileCache::misses)
        .description("Data file reads that waited for a download from the warehouse")
        .register(metrics);
    FunctionCounter.builder("dataflow.cache.fetched", cache, DataFileCache::fetchedBytes)
        .baseUnit("bytes")
        .description("Bytes downloaded from the warehouse into the cache")
        .register(metrics);
    Gauge.builder("dataflow.cache.size", cache, DataFileCache::bytes)
        .baseUnit("bytes")
        .description("Bytes of data files on local disk")
        .register(metrics);
  }

  public ServerConfig config() {
    return config;
  }

  public SqlService sql() {
    return sql;
  }

  public Pipelines pipelines() {
    return pipelines;
  }

  public Models models() {
    return models;
  }

  public int httpPort() {
    return http != null ? http.port() : workerHttp.port();
  }

  /** The Flight SQL port, or -1 on a worker, which serves none. */
  public int flightPort() {
    return flight == null ? -1 : flight.port();
  }

  public String httpUrl() {
    return "http://" + config.host() + ":" + httpPort();
  }

  @Override
  public void close() {
    if (flight != null) {
      flight.close();
      http.close();
    } else {
      workerHttp.close();
    }
    if (models != null) {
      models.close();
    }
    pipelines.close();
    sql.close();
    lake.close();
  }
}
