package dev.dataflow.server;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.ml.Models;
import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.server.flight.FlightSqlEndpoint;
import dev.dataflow.server.http.HttpApi;
import dev.dataflow.sql.SqlService;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The whole platform in one process: the lake, the SQL engine, REST and Flight SQL. */
public final class DataflowServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DataflowServer.class);

  private final ServerConfig config;
  private final Lake lake;
  private final SqlService sql;
  private final Pipelines pipelines;
  private final Models models;
  private final HttpApi http;
  private final FlightSqlEndpoint flight;

  private DataflowServer(
      ServerConfig config,
      Lake lake,
      SqlService sql,
      Pipelines pipelines,
      Models models,
      HttpApi http,
      FlightSqlEndpoint flight) {
    this.config = config;
    this.lake = lake;
    this.sql = sql;
    this.pipelines = pipelines;
    this.models = models;
    this.http = http;
    this.flight = flight;
  }

  public static DataflowServer start(ServerConfig config) {
    requireNonNull(config, "config is null");
    Lake lake = Lake.open(config.lake());
    SqlService sql = new SqlService(lake, config.engine());
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Pipelines pipelines = new Pipelines(sql, metrics);
    Models models = null;
    try {
      if (config.demo()
          && Demo.loadIfAbsent(sql, config.demoScale())
          && config.examples() != null) {
        Demo.runExamples(pipelines, config.examples());
      }
      Authenticator auth =
          config.password() == null
              ? Authenticator.open()
              : Authenticator.withPassword(config.password());
      models = Models.open(sql, ModelSettings.payloads());
      if (config.demo()) {
        DemoModel.trainIfAbsent(models);
      }
      HttpApi http =
          HttpApi.start(sql, pipelines, models, metrics, auth, config.host(), config.httpPort());
      FlightSqlEndpoint flight =
          FlightSqlEndpoint.start(sql, auth, config.host(), config.flightPort());
      pipelines.resume();
      LOG.info("Dataflow started: {}", config);
      return new DataflowServer(config, lake, sql, pipelines, models, http, flight);
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
    return http.port();
  }

  public int flightPort() {
    return flight.port();
  }

  public String httpUrl() {
    return "http://" + config.host() + ":" + httpPort();
  }

  @Override
  public void close() {
    flight.close();
    http.close();
    models.close();
    pipelines.close();
    sql.close();
    lake.close();
  }
}
