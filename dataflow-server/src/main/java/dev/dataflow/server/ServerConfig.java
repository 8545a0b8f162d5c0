package dev.dataflow.server;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import java.nio.file.Path;

/**
 * Everything a Dataflow server needs to start. Port 0 picks a free port. {@code password} null
 * means the server trusts its (loopback) callers.
 */
public record ServerConfig(
    Path dataDir,
    String host,
    int httpPort,
    int flightPort,
    boolean demo,
    double demoScale,
    LakeConfig lake,
    EngineConfig engine,
    String password,
    Path examples) {
  public static final int DEFAULT_HTTP_PORT = 9047;
  public static final int DEFAULT_FLIGHT_PORT = 32010;

  public ServerConfig {
    requireNonNull(dataDir, "dataDir is null");
    requireNonNull(host, "host is null");
    requireNonNull(lake, "lake is null");
    requireNonNull(engine, "engine is null");
  }

  /** The embedded defaults under one data directory, on the loopback address. */
  public static ServerConfig embedded(Path dataDir) {
    return new ServerConfig(
        dataDir,
        "127.0.0.1",
        DEFAULT_HTTP_PORT,
        DEFAULT_FLIGHT_PORT,
        true,
        0.1,
        LakeConfig.embedded(dataDir),
        EngineConfig.defaults(dataDir),
        null,
        null);
  }

  public ServerConfig withPorts(int http, int flight) {
    return new ServerConfig(
        dataDir, host, http, flight, demo, demoScale, lake, engine, password, examples);
  }

  public ServerConfig withDemo(boolean enabled, double scale) {
    return new ServerConfig(
        dataDir, host, httpPort, flightPort, enabled, scale, lake, engine, password, examples);
  }

  public ServerConfig withEngine(EngineConfig engine) {
    return new ServerConfig(
        dataDir, host, httpPort, flightPort, demo, demoScale, lake, engine, password, examples);
  }

  /** The demo's example project (pipelines and their raw files), applied and run on first start. */
  public ServerConfig withExamples(Path examples) {
    return new ServerConfig(
        dataDir, host, httpPort, flightPort, demo, demoScale, lake, engine, password, examples);
  }

  public ServerConfig withPassword(String password) {
    return new ServerConfig(
        dataDir, host, httpPort, flightPort, demo, demoScale, lake, engine, password, examples);
  }

  @Override
  public String toString() {
    return "ServerConfig[data="
        + dataDir
        + ", http="
        + host
        + ":"
        + httpPort
        + ", flight="
        + flightPort
        + ", lake="
        + lake
        + "]";
  }
}
