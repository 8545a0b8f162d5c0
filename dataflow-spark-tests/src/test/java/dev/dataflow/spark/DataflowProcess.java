package dev.dataflow.spark;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code dataflow up} as its own process, from the CLI's packaged jar and libraries (as
 * dataflow-cli's ServerProcess runs it), on free loopback ports: its classes never meet Spark's.
 */
final class DataflowProcess implements AutoCloseable {
  final int httpPort;
  final int flightPort;
  private final ChildJvm process;

  private DataflowProcess(ChildJvm process, int httpPort, int flightPort) {
    this.process = process;
    this.httpPort = httpPort;
    this.flightPort = flightPort;
  }

  /** Starts {@code up} without the demo on {@code data} and waits for its ready line. */
  static DataflowProcess start(Path data) throws IOException {
    return start(data, Map.of());
  }

  /**
   * As {@link #start(Path)}, with {@code environment} added to the process's and {@code options}
   * added to {@code up}'s.
   */
  static DataflowProcess start(Path data, Map<String, String> environment, String... options)
      throws IOException {
    int http = freePort();
    int flight = freePort();
    List<String> arguments =
        new ArrayList<>(
            List.of(
                "up",
                "--no-demo",
                "--data",
                data.toString(),
                "--http-port",
                String.valueOf(http),
                "--flight-port",
                String.valueOf(flight)));
    arguments.addAll(List.of(options));
    ChildJvm process =
        ChildJvm.start(
            ChildJvm.classpath("dataflow.cli.jar", "dataflow.cli.lib"),
            List.of("--add-opens=java.base/java.nio=ALL-UNNAMED", "-Xmx1g"),
            "dev.dataflow.cli.Main",
            arguments,
            environment,
            "Dataflow is up");
    return new DataflowProcess(process, http, flight);
  }

  String url() {
    return "http://127.0.0.1:" + httpPort;
  }

  String output() {
    return process.output();
  }

  /** Stops the server as Ctrl+C does. */
  @Override
  public void close() throws InterruptedException {
    process.close();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
