package dev.dataflow.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code dataflow up} as its own process, from the CLI's packaged jar and libraries (as
 * dataflow-cli's ServerProcess runs it), on free loopback ports: its classes never meet Spark's.
 */
final class DataflowProcess implements AutoCloseable {
  final int httpPort;
  final int flightPort;
  private final Process process;
  private final StringBuffer output = new StringBuffer();

  private DataflowProcess(Process process, int httpPort, int flightPort) {
    this.process = process;
    this.httpPort = httpPort;
    this.flightPort = flightPort;
  }

  /** Starts {@code up} without the demo on {@code data} and waits for its ready line. */
  static DataflowProcess start(Path data) throws IOException {
    int http = freePort();
    int flight = freePort();
    List<String> command =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens=java.base/java.nio=ALL-UNNAMED",
            "-Xmx1g",
            "-cp",
            classpath(),
            "dev.dataflow.cli.Main",
            "up",
            "--no-demo",
            "--data",
            data.toString(),
            "--http-port",
            String.valueOf(http),
            "--flight-port",
            String.valueOf(flight));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    DataflowProcess server = new DataflowProcess(process, http, flight);
    server.awaitReady();
    return server;
  }

  /** The packaged CLI, which Maven builds before this module (see the pom). */
  private static String classpath() {
    Path jar = Path.of(System.getProperty("dataflow.cli.jar", "none"));
    Path lib = Path.of(System.getProperty("dataflow.cli.lib", "none"));
    if (!Files.isRegularFile(jar) || !Files.isDirectory(lib)) {
      throw new IllegalStateException(
          "No packaged CLI at " + jar + " and " + lib + ": run ./mvnw verify (it packages it)");
    }
    return jar + File.pathSeparator + lib + File.separator + "*";
  }

  private void awaitReady() throws IOException {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    String line;
    while ((line = lines.readLine()) != null && System.nanoTime() < deadline) {
      output.append(line).append('\n');
      if (line.startsWith("Dataflow is up")) {
        break;
      }
    }
    assertThat(output.toString()).contains("Dataflow is up");
    Thread drain = new Thread(() -> lines.lines().forEach(l -> output.append(l).append('\n')));
    drain.setDaemon(true);
    drain.start();
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  String output() {
    return output.toString();
  }

  /** Stops the server as Ctrl+C does. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("server stops on SIGTERM").isTrue();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
