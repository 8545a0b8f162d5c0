package dev.dataflow.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * CPU seconds spent by this JVM's threads, grouped by name (digits dropped, so "C2 CompilerThread0"
 * and "…1" are one group), and by every {@code postgres} process on the machine, read from Linux's
 * {@code /proc}. A side's difference of two snapshots says where its CPU went: on 2 cores a load
 * whose parts together need more than twice its wall time cannot go faster, whatever it overlaps.
 * Empty where there is no {@code /proc}.
 */
final class CpuTimes {
  /** Clock ticks per second of /proc's utime and stime: USER_HZ, 100 on every Linux build. */
  private static final double TICKS = 100.0;

  private final Map<String, Long> ticks;

  private CpuTimes(Map<String, Long> ticks) {
    this.ticks = ticks;
  }

  static CpuTimes now() {
    Map<String, Long> ticks = new TreeMap<>();
    add(ticks, Path.of("/proc/self/task"), false);
    long threads = ticks.values().stream().mapToLong(Long::longValue).sum();
    try {
      // the process's own count also holds the threads that have ended, which /proc no longer lists
      ticks.put(
          "(ended threads)", used(Files.readString(Path.of("/proc/self/stat")), false) - threads);
    } catch (IOException e) {
      return new CpuTimes(Map.of());
    }
    add(ticks, Path.of("/proc"), true);
    return new CpuTimes(ticks);
  }

  /**
   * "group 1.23 s, …" for the groups that used at least 0.05 s since {@code before}, largest first.
   */
  String since(CpuTimes before) {
    return ticks.entrySet().stream()
        .map(e -> Map.entry(e.getKey(), e.getValue() - before.ticks.getOrDefault(e.getKey(), 0L)))
        .filter(e -> e.getValue() >= 5)
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue() / TICKS))
        .collect(Collectors.joining(", "));
  }

  /** Sums the entries of {@code dir}: this JVM's threads, or (processes) the postgres ones. */
  private static void add(Map<String, Long> ticks, Path dir, boolean processes) {
    try (Stream<Path> entries = Files.list(dir)) {
      entries
          .filter(entry -> entry.getFileName().toString().chars().allMatch(Character::isDigit))
          .forEach(
              entry -> {
                String stat;
                try {
                  stat = Files.readString(entry.resolve("stat"));
                } catch (IOException e) {
                  return; // the thread or process ended in between
                }
                String comm = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                if (processes && !comm.equals("postgres")) {
                  return;
                }
                String group = processes ? "postgres" : comm.replaceAll("[0-9]+", "").strip();
                ticks.merge(group, used(stat, processes), Long::sum);
              });
    } catch (IOException e) {
      // no /proc: nothing to report
    }
  }

  /**
   * utime + stime of a stat line, plus (children) cutime + cstime: the postmaster's count of the
   * backends it has reaped, so a connection closed during a side still counts.
   */
  private static long used(String stat, boolean children) {
    // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split at the last ')'
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    long used = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    return children ? used + Long.parseLong(fields[13]) + Long.parseLong(fields[14]) : used;
  }
}
