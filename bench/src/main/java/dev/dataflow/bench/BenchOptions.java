package dev.dataflow.bench;

import static java.util.Objects.requireNonNull;

import dev.dataflow.sql.tpch.TpchQueries;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * What {@link TpchBench} runs: where the two sides are, how often, and with which engine settings.
 *
 * @param flightUrl the Dataflow server's Flight SQL JDBC URL
 * @param dataDir the server's data directory; its {@code warehouse/tpch} holds the Parquet files
 * @param passes measured passes after the warm-up
 * @param threads DuckDB threads for the direct side; the server uses one per core
 * @param memoryLimit DuckDB memory limit for the direct side; the server's default is 4GB
 * @param queries the TPC-H query numbers to run, in order
 */
record BenchOptions(
    String flightUrl,
    Path dataDir,
    int passes,
    int threads,
    String memoryLimit,
    List<Integer> queries) {
  static final List<Integer> ALL_QUERIES =
      IntStream.rangeClosed(1, TpchQueries.COUNT).boxed().toList();

  static final String USAGE =
      """
      usage: TpchBench --flight URL --data DIR [--passes N] [--threads N] [--memory-limit SIZE] [--queries 1,3,22]
        --flight        Flight SQL JDBC URL, e.g. jdbc:arrow-flight-sql://127.0.0.1:32010/?useEncryption=false
        --data          the server's data directory (Parquet files under DIR/warehouse/tpch)
        --passes        measured passes after one warm-up pass (default 3)
        --threads       DuckDB threads on the direct side (default: all cores, as the server)
        --memory-limit  DuckDB memory limit on the direct side (default 4GB, as the server)
        --queries       a subset of the 22 queries (default: all)""";

  BenchOptions {
    requireNonNull(flightUrl, "--flight is required\n" + USAGE);
    requireNonNull(dataDir, "--data is required\n" + USAGE);
    if (passes < 1 || threads < 1) {
      throw new IllegalArgumentException("--passes and --threads must be at least 1\n" + USAGE);
    }
    queries = List.copyOf(queries);
  }

  static BenchOptions parse(String... args) {
    String flight = null;
    Path data = null;
    int passes = 3;
    int threads = Runtime.getRuntime().availableProcessors();
    String memoryLimit = "4GB";
    List<Integer> queries = ALL_QUERIES;
    for (int i = 0; i < args.length; i += 2) {
      String value = value(args, i);
      switch (args[i]) {
        case "--flight" -> flight = value;
        case "--data" -> data = Path.of(value);
        case "--passes" -> passes = Integer.parseInt(value);
        case "--threads" -> threads = Integer.parseInt(value);
        case "--memory-limit" -> memoryLimit = value;
        case "--queries" -> queries = queries(value);
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "\n" + USAGE);
      }
    }
    return new BenchOptions(flight, data, passes, threads, memoryLimit, queries);
  }

  private static String value(String[] args, int i) {
    if (i + 1 >= args.length) {
      throw new IllegalArgumentException(args[i] + " needs a value\n" + USAGE);
    }
    return args[i + 1];
  }

  /** TPC-H query numbers from a list such as {@code 1,6,13}; refuses a number not in 1 to 22. */
  static List<Integer> queries(String list) {
    List<Integer> numbers = new ArrayList<>();
    for (String number : list.split(",")) {
      int query = Integer.parseInt(number.strip());
      if (query < 1 || query > TpchQueries.COUNT) {
        throw new IllegalArgumentException(
            "TPC-H queries are numbered 1 to " + TpchQueries.COUNT + ", not " + query);
      }
      numbers.add(query);
    }
    return List.copyOf(numbers);
  }
}
