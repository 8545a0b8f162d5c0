package dev.dataflow.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code dataflow up} as its own process, run from the packaged jar and its libraries as the
 * launcher runs it, on free loopback ports. Its output is kept for assertions.
 */
final class ServerProcess implements AutoCloseable {
  final int httpPort;
  final int flightPort;
  final String url;
  private final Process process;
  private final StringBuffer output = new StringBuffer();

  private ServerProcess(Process process, int httpPort, int flightPort) {
    this.process = process;
    this.httpPort = httpPort;
    this.flightPort = flightPort;
    this.url = "http://127.0.0.1:" + httpPort;
  }

  /** Starts {@code up} on {@code data} with extra options and waits for its ready line. */
  static ServerProcess start(Path data, String... options) throws IOException {
    return start(data, Map.of(), options);
  }

  /** As {@link #start(Path, String...)}, with {@code environment} added to the process's. */
  static ServerProcess start(Path data, Map<String, String> environment, String... options)
      throws IOException {
    int http = freePort();
    int flight = freePort();
    List<String> args =
        new ArrayList<>(
            List.of(
                "up",
                "--data",
                data.toString(),
                "--http-port",
                String.valueOf(http),
                "--flight-port",
                String.valueOf(flight)));
    args.addAll(List.of(options));
    ProcessBuilder builder = java(args).redirectErrorStream(true);
    builder.environment().putAll(environment);
    ServerProcess server = new ServerProcess(builder.start(), http, flight);
    server.awaitReady();
    return server;
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

  String output() {
    return output.toString();
  }

  /** Ends the process the hard way (SIGKILL): no shutdown hook, no flush, no goodbye. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
  }

  /** Stops the process as Ctrl+C does (SIGTERM), which must end it cleanly. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("server stops on SIGTERM").isTrue();
    }
  }

  /** A JVM running the packaged CLI, as the launcher script does. */
  static ProcessBuilder java(List<String> args) {
    Path target = Path.of("target").toAbsolutePath();
    String classpath =
        target.resolve("dataflow-cli-0.1.0-SNAPSHOT.jar")
            + File.pathSeparator
            + target.resolve("lib")
            + "/*";
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-Xmx1g",
                "-cp",
                classpath,
                Main.class.getName()));
    command.addAll(args);
    return new ProcessBuilder(command);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
