package dev.dataflow.ingest.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real MariaDB server ({@code mariadbd} of Debian's {@code mariadb-server}, which {@code .ci/run}
 * installs) as a child process: a temporary datadir made by {@code mariadb-install-db}, bound to
 * 127.0.0.1 on a free port. Where the binaries are absent the calling test is skipped, saying so.
 * With the binlog on (row format, full row images), change data capture can read it.
 */
public final class MariaDbServer implements AutoCloseable {
  private static final List<Path> SEARCH =
      Stream.concat(
              Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                  .filter(p -> !p.isEmpty())
                  .map(Path::of),
              Stream.of(Path.of("/usr/sbin"), Path.of("/usr/local/sbin")))
          .toList();

  private final Path directory;
  private final Path server;
  private final int port;
  private final boolean binlog;
  private Process process;

  private MariaDbServer(Path directory, Path server, int port, boolean binlog) {
    this.directory = directory;
    this.server = server;
    this.port = port;
    this.binlog = binlog;
  }

  /** Installs a datadir under {@code directory} and starts the server; skips when not installed. */
  static MariaDbServer startOrSkip(Path directory) throws Exception {
    return startOrSkip(directory, false);
  }

  /**
   * As {@link #startOrSkip(Path)}, with the binlog on if {@code binlog} ({@code ROW} format, {@code
   * FULL} row images, server id 1), as change data capture needs.
   */
  public static MariaDbServer startOrSkip(Path directory, boolean binlog) throws Exception {
    Path server = find("mariadbd");
    Path install = find("mariadb-install-db");
    String skipped =
        "MariaDB tests skipped: mariadbd / mariadb-install-db not found"
            + " (install the Debian package mariadb-server, as .ci/run does)";
    if (server == null || install == null) {
      // also on the console: a skipped class is easy to miss in a green build
      System.err.println(skipped);
    }
    assumeTrue(server != null && install != null, skipped);
    List<String> command = new ArrayList<>(List.of(install.toString(), "--no-defaults"));
    command.addAll(asRoot());
    command.addAll(
        List.of(
            "--datadir=" + directory.resolve("data"),
            "--auth-root-authentication-method=normal",
            "--skip-test-db"));
    run(command, directory.resolve("install.log"));
    MariaDbServer mariadb = new MariaDbServer(directory, server, freePort(), binlog);
    mariadb.start();
    return mariadb;
  }

  /** Starts the server on the same datadir and port, after {@link #kill} or at first. */
  public void start() throws Exception {
    List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults"));
    command.addAll(asRoot());
    command.addAll(
        List.of(
            "--datadir=" + directory.resolve("data"),
            "--bind-address=127.0.0.1",
            "--port=" + port,
            "--socket=" + directory.resolve("mariadb.sock"),
            "--pid-file=" + directory.resolve("mariadb.pid"),
            "--skip-name-resolve",
            "--innodb-buffer-pool-size=64M",
            "--log-error=" + directory.resolve("error.log")));
    command.addAll(
        binlog
            ? List.of(
                "--log-bin=" + directory.resolve("binlog"),
                "--binlog-format=ROW",
                "--binlog-row-image=FULL",
                "--server-id=1")
            : List.of("--skip-log-bin"));
    process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(directory.resolve("server.out").toFile())
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try (Connection connection = connect("")) {
        return;
      } catch (SQLException e) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "mariadbd did not start: " + Files.readString(directory.resolve("error.log")), e);
        }
        Thread.sleep(100);
      }
    }
  }

  /** Ends the server at once (SIGKILL), as a crash or a lost host would. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  public String url(String database) {
    return "jdbc:mariadb://127.0.0.1:" + port + "/" + database;
  }

  public Connection connect(String database) throws SQLException {
    return DriverManager.getConnection(url(database), "root", "");
  }

  public void execute(String database, String... statements) throws SQLException {
    try (Connection connection = connect(database);
        Statement statement = connection.createStatement()) {
      for (String sql : statements) {
        statement.execute(sql);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }

  private static List<String> asRoot() {
    // mariadbd refuses to run as root unless told to
    return "root".equals(System.getProperty("user.name")) ? List.of("--user=root") : List.of();
  }

  private static Path find(String name) {
    return SEARCH.stream()
        .map(directory -> directory.resolve(name))
        .filter(Files::isExecutable)
        .findFirst()
        .orElse(null);
  }

  private static void run(List<String> command, Path log) throws Exception {
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IllegalStateException(command.get(0) + " failed: " + Files.readString(log));
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return socket.getLocalPort();
    }
  }
}
