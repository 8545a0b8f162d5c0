package dev.dataflow.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own, on a packaged jar and the library folders beside it, so that its classes never
 * meet Spark's: started, awaited until it prints the line that says it serves, stopped as Ctrl+C
 * does.
 */
final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final StringBuffer output = new StringBuffer();
  private String readyLine;

  private ChildJvm(Process process) {
    this.process = process;
  }

  /**
   * Runs {@code main} with {@code arguments} on {@code classpath}, with {@code environment} added
   * to this process's, and returns once a line of its output starts with {@code ready}.
   */
  static ChildJvm start(
      String classpath,
      List<String> jvmOptions,
      String main,
      List<String> arguments,
      Map<String, String> environment,
      String ready)
      throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-cp", classpath, main));
    command.addAll(arguments);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(environment);
    ChildJvm child = new ChildJvm(builder.start());
    child.awaitLine(ready);
    return child;
  }

  /**
   * A packaged jar and its library folders, named by system properties the pom sets: Maven builds
   * them before this module.
   */
  static String classpath(String jarProperty, String... libraryProperties) {
    Path jar = Path.of(System.getProperty(jarProperty, "none"));
    StringBuilder classpath = new StringBuilder(jar.toString());
    List<Path> missing = new ArrayList<>(Files.isRegularFile(jar) ? List.of() : List.of(jar));
    for (String property : libraryProperties) {
      Path lib = Path.of(System.getProperty(property, "none"));
      if (!Files.isDirectory(lib)) {
        missing.add(lib);
      }
      classpath.append(File.pathSeparator).append(lib).append(File.separator).append('*');
    }
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "Not packaged: " + missing + ": run ./mvnw verify (it packages them)");
    }
    return classpath.toString();
  }

  private void awaitLine(String ready) throws IOException {
    BufferedReader lines =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    String line;
    while ((line = lines.readLine()) != null && System.nanoTime() < deadline) {
      output.append(line).append('\n');
      if (line.startsWith(ready)) {
        readyLine = line;
        break;
      }
    }
    assertThat(readyLine).as(output.toString()).isNotNull();
    Thread drain = new Thread(() -> lines.lines().forEach(l -> output.append(l).append('\n')));
    drain.setDaemon(true);
    drain.start();
  }

  /** The line that said it was ready. */
  String readyLine() {
    return readyLine;
  }

  String output() {
    return output.toString();
  }

  /** Stops the process as Ctrl+C does. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("process stops on SIGTERM").isTrue();
    }
  }
}
