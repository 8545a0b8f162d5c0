package dev.dataflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Small helpers the benchmark commands share. */
final class BenchSupport {
  private BenchSupport() {}

  /** A benchmark's whole run. */
  @FunctionalInterface
  interface Main {
    void run() throws Exception;
  }

  /**
   * Runs a benchmark and ends the JVM: status 0 when it finished, 1 when it threw. A failure can
   * leave threads behind (a server half-started when a class failed to load keeps its HTTP
   * threads), which would otherwise keep the JVM, and the bench command, waiting forever.
   */
  static void exitWhenDone(Main main) {
    int status = 0;
    try {
      main.run();
    } catch (Throwable e) {
      e.printStackTrace();
      status = 1;
    }
    System.out.flush();
    System.exit(status);
  }

  /**
   * A command line of {@code --name value} pairs; ends the JVM with status 2 and {@code usage} when
   * a name is not one of {@code names} or lacks its value.
   */
  static Map<String, String> options(String[] args, String usage, String... names) {
    Map<String, String> options = new HashMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!List.of(names).contains(args[i]) || i + 1 >= args.length) {
        System.err.println("usage: " + usage);
        System.exit(2);
      }
      options.put(args[i], args[i + 1]);
    }
    return options;
  }

  /** The {@code p} quantile of sorted latencies (nearest rank); NaN when there are none. */
  static double percentile(long[] sorted, double p) {
    return sorted.length == 0
        ? Double.NaN
        : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }

  /**
   * Two sides in the order a pass runs them: {@code first} first in even passes, {@code second} in
   * odd ones, so that neither always profits from the other's reads.
   */
  static <T> List<T> alternating(int pass, T first, T second) {
    return pass % 2 == 0 ? List.of(first, second) : List.of(second, first);
  }

  /** Seconds since {@code start}, a {@link System#nanoTime()} reading. */
  static double seconds(long start) {
    return (System.nanoTime() - start) / 1e9;
  }

  /**
   * The 1, 5 and 15 minute load averages: other work on the machine skews every figure, so a run
   * prints them and a reader can tell a quiet run from a busy one.
   */
  static String loadAverage() {
    try {
      String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
      return parts[0] + " " + parts[1] + " " + parts[2];
    } catch (IOException e) {
      return "?";
    }
  }

  /** Deletes a directory and everything under it; nothing when it does not exist. */
  static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }
}
