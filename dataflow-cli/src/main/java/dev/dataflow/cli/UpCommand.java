package dev.dataflow.cli;

import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.EngineConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dataflow up}: starts the platform with embedded defaults and waits until stopped. */
@Command(
    name = "up",
    description = "Start Dataflow (web console, REST and Flight SQL) on this machine.")
final class UpCommand implements Callable<Integer> {
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

  @Mixin WorkloadOptions workload;

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
                embedded.lake(),
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
        data.toAbsolutePath().normalize());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
