package dev.dataflow.cli;

import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.s3.S3Location;
import dev.dataflow.lake.s3.S3Settings;
import dev.dataflow.server.DataflowServer;
import dev.dataflow.server.Role;
import dev.dataflow.server.ServerConfig;
import dev.dataflow.sql.EngineConfig;
import java.net.URI;
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

  @Option(
      names = "--warehouse",
      description =
          "Where table data lives: s3://BUCKET/PREFIX (default: the warehouse directory in --data,"
              + " or $DATAFLOW_WAREHOUSE). The store's endpoint, region and credentials come from"
              + " $AWS_ENDPOINT_URL (addressed path-style), $AWS_REGION, $AWS_ACCESS_KEY_ID and"
              + " $AWS_SECRET_ACCESS_KEY (or the SDK's default chain).",
      defaultValue = "${env:DATAFLOW_WAREHOUSE}")
  String warehouse;

  @Option(
      names = "--cache-size",
      description =
          "Most disk the cache of an S3 warehouse's data files takes in --data, e.g. 50GB"
              + " (default: ${DEFAULT-VALUE}).",
      defaultValue = "10GB")
  String cacheSize;

  @Option(
      names = "--role",
      description =
          "What this process does: all (the default), coordinator (console, REST, Flight SQL; no"
              + " pipelines), worker (runs pipelines) or serving (V2 inference for the deployed"
              + " models). Beyond one machine, processes of each role share --catalog and"
              + " --warehouse.",
      defaultValue = "${env:DATAFLOW_ROLE:-all}")
  String role;

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
    return embedded
        .lake()
        .withCatalog(
            catalog,
            System.getenv("DATAFLOW_CATALOG_USER"),
            System.getenv("DATAFLOW_CATALOG_PASSWORD"));
  }

  /** The lake with its data in S3 when {@link #warehouse} names a bucket. */
  private LakeConfig warehouse(LakeConfig lake) {
    if (warehouse == null || warehouse.isBlank()) {
      return lake;
    }
    if (!warehouse.startsWith("s3://")
        || S3Location.parse(URI.create(warehouse)).bucket().isEmpty()) {
      throw new ParameterException(spec.commandLine(), "--warehouse takes s3://BUCKET/PREFIX");
    }
    String endpoint = System.getenv("AWS_ENDPOINT_URL");
    String region = System.getenv("AWS_REGION");
    S3Settings settings =
        new S3Settings(
            endpoint == null || endpoint.isBlank() ? null : URI.create(endpoint),
            region == null || region.isBlank() ? "us-east-1" : region,
            System.getenv("AWS_ACCESS_KEY_ID"),
            System.getenv("AWS_SECRET_ACCESS_KEY"));
    return lake.withS3Warehouse(
        warehouse.replaceAll("/+$", ""), settings, WorkloadOptions.bytes(cacheSize));
  }

  private Role role(String name) {
    try {
      return Role.valueOf(name.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(
          spec.commandLine(), "--role takes all, coordinator, worker or serving, not " + name);
    }
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
                warehouse(lake(embedded)),
                engine,
                null,
                null)
            .withPassword(password == null || password.isEmpty() ? null : password)
            .withExamples(
                java.nio.file.Files.isDirectory(examples) ? examples.toAbsolutePath() : null);
    Role serverRole = role(role);
    DataflowServer server = DataflowServer.start(config, serverRole);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  server.close();
                  stopped.countDown();
                }));
    double seconds = (System.nanoTime() - start) / 1e9;
    if (serverRole == Role.WORKER || serverRole == Role.SERVING) {
      System.out.printf(
          "Dataflow is up in %.1f s as %s %s%n  %-22shttp://%s:%d%s%n",
          seconds,
          serverRole.name().toLowerCase(Locale.ROOT),
          server.pipelines().workers().id(),
          serverRole == Role.WORKER ? "Health, metrics:" : "V2 inference:",
          host,
          server.httpPort(),
          serverRole == Role.WORKER ? "" : "/v2 (health, metrics beside)");
    } else {
      System.out.printf(
          "Dataflow is up in %.1f s%s%n  Console:              http://%s:%d%n"
              + "  REST API:             http://%s:%d/api/v1 (V2 inference under /v2)%n"
              + "  Flight SQL:           grpc://%s:%d"
              + "  (jdbc:arrow-flight-sql://%s:%d/?useEncryption=false)%n",
          seconds,
          serverRole == Role.COORDINATOR ? " as coordinator (pipelines run on workers)" : "",
          host,
          server.httpPort(),
          host,
          server.httpPort(),
          host,
          server.flightPort(),
          host,
          server.flightPort());
    }
    System.out.printf(
        "  Data:                 %s%n  Metadata store:       %s%n  Warehouse:            %s%n"
            + "Press Ctrl+C to stop.%n",
        data.toAbsolutePath().normalize(), config.lake().catalogUrl(), config.lake().warehouse());
    System.out.flush();
    stopped.await();
    return 0;
  }
}
