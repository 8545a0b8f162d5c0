package dev.dataflow.cli;

import dev.dataflow.lake.LakeConfig;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code dataflow up}: starts the platform with embedded defaults and waits until stopped. */
@Command(
    name = "up",
    description = "Start Dataflow (web console, REST and Flight SQL) on this machine.")
final class UpCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(
      names = "--data",
      description = "Data directory (default: ${DEFAULT-VALUE}).",
      defaultValue = "dataflow-data")
  Path data;

  @Option(
      names = "--http-port",
      description = "HTTP port (default: ${DEFAULT-VALUE}).",
      defaultValue = "9047")
  int httpPort;

  @Option(
      names = "--flight-port",
      description = "Flight SQL port (default: ${DEFAULT-VALUE}).",
      defaultValue = "32010")
  int flightPort;

  @Option(
      names = "--host",
      description = "Address to listen on (default: ${DEFAULT-VALUE}).",
      defaultValue = "127.0.0.1")
  String host;

  @Option(names = "--no-demo", description = "Do not create the demo lake on first start.")
  boolean noDemo;

  @Option(
      names = "--demo-scale",
      description = "TPC-H scale of the demo lake (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.1")
  double demoScale;

  @Option(
      names = "--examples",
      description = "Example project run by the demo (default: ${DEFAULT-VALUE}).",
      defaultValue = "${env:DATAFLOW_HOME:-.}/examples")
  Path examples;

  @Option(
      names = "--memory-limit",
      description = "SQL engine memory limit (default: ${DEFAULT-VALUE}).",
      defaultValue = "4GB")
  String memoryLimit;

  @Option(
      names = "--statement-timeout",
      description = "Cancel statements running longer, e.g. PT10M (default: ${DEFAULT-VALUE}).",
      defaultValue = "PT30M")
  Duration statementTimeout;

  @Option(
      names = "--catalog",
      description =
          "Metadata store as a JDBC URL, e.g. jdbc:postgresql://host/db (default: the SQLite file"
              + " in --data, or $DATAFLOW_CATALOG_URL); user and password come from"
              + " $DATAFLOW_CATALOG_USER and $DATAFLOW_CATALOG_PASSWORD only.",
      defaultValue = "${env:DATAFLOW_CATALOG_URL}")
  String catalog;

  @Mixin WorkloadOptions workload;

  /**
   * The embedded lake, or one whose metadata lives in {@link #catalog}. Credentials never come from
   * the command line, where other users of the machine see them in the process list.
   */
  private LakeConfig lake(ServerConfig embedded) {
    if (catalog == null || catalog.isBlank()) {
      return embedded.lake();
    }
    if (!catalog.startsWith("jdbc:postgresql://") && !catalog.startsWith("jdbc:sqlite:")) {
      throw new ParameterException(
          spec.commandLine(),
          "--catalog takes jdbc:postgresql://HOST[:PORT]/DATABASE or jdbc:sqlite:FILE");
    }
    if (catalog.toLowerCase(Locale.ROOT).contains("password=")) {
      throw new ParameterException(
          spec.commandLine(),
          "--catalog must not carry a password: set DATAFLOW_CATALOG_PASSWORD instead");
    }
    return new LakeConfig(
        catalog,
        System.getenv("DATAFLOW_CATALOG_USER"),
        System.getenv("DATAFLOW_CATALOG_PASSWORD"),
        embedded.lake().warehouse());
  }

  @Override
  public Integer call() throws InterruptedException {
    long start = System.nanoTime();
    String password = System.getenv("DATAFLOW_PASSWORD");
    ServerConfig embedded = ServerConfig.embedded(data);
    EngineConfig engine =
        workload.applyTo(
            embedded.engine().withMemoryLimit(memoryLimit).withStatementTimeout(statementTimeout));
    ServerConfig config =
        new ServerConfig(
                embedded.dataDir(),
                host,
                httpPort,
                flightPort,
                !noDemo,
                demoScale,
                lake(embedded),
                engine,
                null,
                null)
            .withPassword(password == null || password.isEmpty() ? null : password)
            .withExamples(
                java.nio.file.Files.isDirectory(examples) ? examples.toAbsolutePath() : null);
    DataflowServer server = DataflowServer.start(config);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    System.out.printf(
        "Dataflow is up in %.1f s%n  Console:              http://%s:%d%n"
            + "  REST API:             http://%s:%d/api/v1 (V2 inference under /v2)%n"
            + "  Flight SQL:           grpc://%s:%d"
            + "  (jdbc:arrow-flight-sql://%s:%d/?useEncryption=false)%n  Data:                 %s%n"
            + "  Metadata store:       %s%n"
            + "Press Ctrl+C to stop.%n",
        (System.nanoTime() - start) / 1e9,
        host,
        server.httpPort(),
        host,
        server.httpPort(),
        host,
        server.flightPort(),
        host,
        server.flightPort(),
        data.toAbsolutePath().normalize(),
        config.lake().catalogUrl());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
