package dev.dataflow.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every bench command run as a user runs it (the {@code bench/*} script, so the jar and {@code
 * bench/target/lib} that {@code package} just made), at a tiny size: each must print its table and
 * exit 0. The figures are not checked; that the commands still work is. {@code BENCH_NO_BUILD=1}
 * keeps the scripts from starting a Maven build inside this one.
 */
class BenchSmokeIT {
  private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
  private static final Path OUT = Path.of("target", "smoke").toAbsolutePath();
  private static final Pattern JAR = Pattern.compile("(.+?)-(\\d.*)\\.jar");

  @BeforeAll
  static void clean() throws IOException {
    BenchSupport.deleteTree(OUT);
    Files.createDirectories(OUT);
  }

  @Test
  void tpch() throws Exception {
    String output =
        run(
            "tpch",
            Map.of(
                "SCALE", "0.01",
                "PASSES", "1",
                "QUERIES", "1,6,13",
                "IDLE", "1",
                "BENCH_DATA", OUT.resolve("tpch-data").toString()));
    assertThat(output)
        .contains("TPC-H, wall time in ms from prepare to last row fetched")
        .containsPattern("(?m)^Q01 .*\\d")
        .containsPattern("(?m)^Q13 .*\\d")
        .containsPattern("(?m)^total");
  }

  /** Shares bench/tpch's lake at SF 0.01: whichever of the two runs first loads it. */
  @Test
  void s3() throws Exception {
    String output =
        run(
            "s3",
            Map.of(
                "SCALE", "0.01",
                "PASSES", "1",
                "QUERIES", "1,6,13",
                "BENCH_DATA", OUT.resolve("tpch-data").toString(),
                "BENCH_S3", OUT.resolve("s3-data").toString()));
    assertThat(output)
        .contains("| Query | Rows | Local, first pass | Local | S3 cold | S3 warm |")
        .containsPattern("(?m)^\\| Q01 \\| \\d+ \\| [\\d.]+ \\|")
        .containsPattern("(?m)^\\| Q13 \\| \\d+ \\| [\\d.]+ \\|")
        .containsPattern("(?m)^\\| \\*\\*total\\*\\*")
        .containsPattern("(?m)^\\| cold pass \\| \\d+ \\| \\d+ \\|");
  }

  @Test
  void ingest() throws Exception {
    String output =
        run(
            "ingest",
            Map.of(
                "SCALE", "0.001",
                "PASSES", "1",
                "BENCH_WORK", OUT.resolve("ingest-work").toString()));
    assertThat(output)
        .contains("| Load | Baseline rows/s | Dataflow rows/s | Ratio | Target |")
        .containsPattern("(?m)^\\| PostgreSQL → lake .*\\d")
        .containsPattern("(?m)^\\| CSV → lake .*\\d");
  }

  @Test
  void cdc() throws Exception {
    String output = run("cdc", Map.of("RATES", "500", "DURATION", "2", "ROWS", "2000"));
    assertThat(output)
        .contains("rate (changes/s) | written/s | lake/s")
        .containsPattern("(?m)^ +500 \\| +\\d+ \\| +\\d+ \\|");
  }

  @Test
  void inference() throws Exception {
    String output = run("inference", Map.of("CLIENTS", "2", "DURATION", "1"));
    assertThat(output)
        .containsPattern("(?m)^in-process: model predict +\\d+ req/s")
        .containsPattern("(?m)^V2 REST on loopback +\\d+ req/s");
  }

  @Test
  void concurrency() throws Exception {
    String output = run("concurrency", Map.of("HEAVY", "2", "DURATION", "1"));
    assertThat(output)
        .contains("small query")
        .containsPattern("(?m)^idle +[\\d.]+ +[\\d.]+ +\\d+")
        .containsPattern("(?m)^beside 2 heavy, queued +[\\d.]+ +[\\d.]+ +\\d+")
        .containsPattern("(?m)^beside 2 heavy, all running at once +[\\d.]+ +[\\d.]+ +\\d+");
  }

  @Test
  void fetch() throws Exception {
    String output =
        run(
            "fetch",
            Map.of(
                "SCALE", "0.01",
                "PASSES", "1",
                "BENCH_WORK", OUT.resolve("fetch-work").toString()));
    assertThat(output)
        .contains("| Path | Best s | Rows/s | × PostgreSQL | Target |")
        .containsPattern("(?m)^\\| PostgreSQL JDBC driver \\| [\\d.]+ \\|")
        .containsPattern("(?m)^\\| Flight SQL JDBC driver \\| [\\d.]+ \\|")
        .containsPattern("(?m)^\\| Flight SQL client \\(Arrow\\) \\| [\\d.]+ \\|");
  }

  /**
   * The benchmarks run on the libraries the server runs: every jar in bench/target/lib that the
   * CLI's target/lib (the server's classpath, as the launcher runs it) also has is the same
   * version.
   */
  @Test
  void benchRunsOnTheServersVersions() throws IOException {
    Map<String, String> server = versions(ROOT.resolve("dataflow-cli/target/lib"));
    Map<String, String> bench = versions(ROOT.resolve("bench/target/lib"));
    assertThat(server).as("the server's libraries").isNotEmpty();
    List<String> differ = new ArrayList<>();
    bench.forEach(
        (name, version) -> {
          String other = server.get(name);
          if (other != null && !other.equals(version)) {
            differ.add(name + ": bench " + version + ", server " + other);
          }
        });
    assertThat(differ).as("libraries bench runs at another version than the server").isEmpty();
  }

  private static Map<String, String> versions(Path lib) throws IOException {
    Map<String, String> versions = new TreeMap<>();
    try (Stream<Path> jars = Files.list(lib)) {
      for (Path jar : jars.toList()) {
        Matcher matcher = JAR.matcher(jar.getFileName().toString());
        if (matcher.matches()) {
          versions.put(matcher.group(1), matcher.group(2));
        }
      }
    }
    return versions;
  }

  /** Runs {@code bench/<command>} with the settings; asserts exit 0 and returns its output. */
  private static String run(String command, Map<String, String> settings) throws Exception {
    Path log = OUT.resolve(command + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(ROOT.resolve("bench").resolve(command).toString())
            .directory(ROOT.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(settings);
    builder.environment().put("BENCH_NO_BUILD", "1");
    Process process = builder.start();
    boolean ended = process.waitFor(6, TimeUnit.MINUTES);
    if (!ended) {
      // the script stops its own children on SIGTERM; what is left is killed
      List<ProcessHandle> children = process.descendants().toList();
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
      children.forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(ended).as("bench/%s ended within 6 minutes; output:%n%s", command, output).isTrue();
    assertThat(process.exitValue())
        .as("bench/%s exit status; output:%n%s", command, output)
        .isZero();
    return output;
  }
}
