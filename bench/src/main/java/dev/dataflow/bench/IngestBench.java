package dev.dataflow.bench;

import static dev.dataflow.bench.BenchSupport.deleteTree;
import static dev.dataflow.bench.BenchSupport.loadAverage;
import static dev.dataflow.bench.BenchSupport.seconds;

import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * Bulk-load benchmark (bench/ingest): TPC-H lineitem from PostgreSQL 17 and from CSV files into the
 * lake through Dataflow pipelines run in-process, each against the source's own bulk path in the
 * same run, plus the JVM's peak heap.
 *
 * <ol>
 *   <li><b>PostgreSQL.</b> PostgreSQL's {@code COPY lineitem TO STDOUT} drained to a null sink (a
 *       row counter) against the pipeline {@code jdbc} origin, table lineitem, split by ranges of
 *       the table's pages with parallelism 2 ({@code --parallelism}; 1 reads one stream; {@code
 *       --split-column l_orderkey} splits by key ranges instead), mode overwrite: read, write
 *       Parquet, commit.
 *   <li><b>CSV.</b> DuckDB's own {@code COPY (SELECT * FROM read_csv(…declared columns…)) TO
 *       '….parquet'} against the pipeline {@code files} origin over the same files with the same
 *       declared columns, mode overwrite.
 * </ol>
 *
 * Each side runs {@code --passes} times, alternating which goes first; the best pass counts. Peak
 * heap is the sum over heap memory pools of their peak usage, reset before each pass, so it is the
 * peak of that pass alone; run with {@code -Xmx1g} so a side that needed more would fail.
 */
public final class IngestBench {
  private static final double TARGET = 0.8;

  private IngestBench() {}

  public static void main(String[] args) {
    BenchSupport.exitWhenDone(() -> run(args));
  }

  private static void run(String[] args) throws Exception {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    // the jdbc reader's "read N rows in T ms" line splits a pipeline's time into reading and the
    // rest
    System.setProperty("org.slf4j.simpleLogger.log.dev.dataflow.ingest.jdbc.JdbcReader", "info");
    double scale = 1;
    int files = 8;
    int passes = 2;
    Path work = null;
    String compression = null;
    int parallelism = 2;
    String splitColumn = null;
    Integer maxRows = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--scale" -> scale = Double.parseDouble(args[++i]);
        case "--files" -> files = Integer.parseInt(args[++i]);
        case "--passes" -> passes = Integer.parseInt(args[++i]);
        case "--work" -> work = Path.of(args[++i]);
        case "--compression" -> compression = args[++i];
        case "--parallelism" -> parallelism = Integer.parseInt(args[++i]);
        case "--split-column" -> splitColumn = args[++i];
        case "--max-rows" -> maxRows = Integer.parseInt(args[++i]);
        default -> {
          System.err.println(
              "usage: IngestBench --work DIR [--scale 1] [--files 8] [--passes 2]"
                  + " [--compression zstd|snappy|…] [--parallelism 2] [--split-column COLUMN]"
                  + " [--max-rows 1000000]");
          System.exit(2);
        }
      }
    }
    if (work == null) {
      System.err.println("--work DIR is required (a scratch directory; its contents are replaced)");
      System.exit(2);
    }
    new Bench(
            scale,
            files,
            passes,
            work.toAbsolutePath().normalize(),
            compression,
            parallelism,
            splitColumn,
            maxRows)
        .run();
  }

  /** One benchmark run. */
  private static final class Bench {
    final double scale;
    final int fileCount;
    final int passes;
    final Path work;
    final Path csv;

    /** The lake tables' Parquet codec (the pipelines' {@code compression}), or null: zstd. */
    final String compression;

    /** The jdbc pipeline's split parallelism (1: one COPY stream, no split). */
    final int parallelism;

    /** The key the jdbc pipeline's split cuts into ranges, or null: ranges of the table's pages. */
    final String splitColumn;

    /** Both pipelines' {@code commit.max_rows}, or null: their default (a million rows). */
    final Integer maxRows;

    /** The generated CSV files, set by {@link #run}. */
    LineitemFiles lineitem;

    long rows;

    Bench(
        double scale,
        int fileCount,
        int passes,
        Path work,
        String compression,
        int parallelism,
        String splitColumn,
        Integer maxRows) {
      this.scale = scale;
      this.fileCount = fileCount;
      this.passes = passes;
      this.work = work;
      this.csv = work.resolve("csv");
      this.compression = compression;
      this.parallelism = parallelism;
      this.splitColumn = splitColumn;
      this.maxRows = maxRows;
    }

    void run() throws Exception {
      deleteTree(work);
      Files.createDirectories(csv);
      System.out.printf(
          Locale.ROOT,
          "JVM max heap %d MiB, %d cores; TPC-H lineitem SF %s, %d CSV files, %d passes;"
              + " lake Parquet %s; jdbc split parallelism %d by %s; max_rows %s%n",
          Runtime.getRuntime().maxMemory() >> 20,
          Runtime.getRuntime().availableProcessors(),
          scale,
          fileCount,
          passes,
          compression == null ? "zstd (the default)" : compression,
          parallelism,
          splitColumn == null ? "page ranges" : splitColumn + " ranges",
          maxRows == null ? "the default" : String.format(Locale.ROOT, "%,d", maxRows));
      long start = System.nanoTime();
      lineitem = LineitemFiles.generate(scale, csv, fileCount);
      rows = lineitem.rows();
      System.out.printf(
          Locale.ROOT,
          "generated %,d rows as %d CSV files (%d MiB) in %.1f s%n",
          rows,
          fileCount,
          size(csv) >> 20,
          seconds(start));
      try (EmbeddedPostgres postgres = LineitemFiles.startPostgres(work.resolve("pg"))) {
        String url = postgres.getJdbcUrl("postgres", "postgres");
        start = System.nanoTime();
        lineitem.loadPostgres(url);
        System.out.printf(
            Locale.ROOT,
            "loaded PostgreSQL %s in %.1f s%n",
            LineitemFiles.postgresVersion(url),
            seconds(start));
        Path data = work.resolve("data");
        try (Lake lake = Lake.open(LakeConfig.embedded(data));
            SqlService sql =
                new SqlService(
                    lake,
                    new EngineConfig(
                        EngineConfig.defaults(data).memoryLimit(),
                        Integer.getInteger("bench.threads", 2),
                        EngineConfig.defaults(data).statementTimeout(),
                        EngineConfig.defaults(data).spillDirectory()));
            Pipelines pipelines = new Pipelines(sql)) {
          pipelines.apply(jdbcPipeline(url), work.resolve("pg_lineitem.yaml"));
          pipelines.apply(filesPipeline(), work.resolve("csv_lineitem.yaml"));
          List<Result> pg = new ArrayList<>();
          List<Result> pgFlow = new ArrayList<>();
          List<Result> duck = new ArrayList<>();
          List<Result> duckFlow = new ArrayList<>();
          for (int pass = 1; pass <= passes; pass++) {
            boolean nativeFirst = pass % 2 == 1;
            if (nativeFirst) {
              pg.add(measure("PostgreSQL COPY TO STDOUT", () -> copyOut(url)));
              pgFlow.add(
                  measure("Dataflow jdbc pipeline", () -> pipeline(pipelines, "pg_lineitem")));
              duck.add(measure("DuckDB CSV -> Parquet COPY", this::duckdbCopy));
              duckFlow.add(
                  measure("Dataflow files pipeline", () -> pipeline(pipelines, "csv_lineitem")));
            } else {
              pgFlow.add(
                  measure("Dataflow jdbc pipeline", () -> pipeline(pipelines, "pg_lineitem")));
              pg.add(measure("PostgreSQL COPY TO STDOUT", () -> copyOut(url)));
              duckFlow.add(
                  measure("Dataflow files pipeline", () -> pipeline(pipelines, "csv_lineitem")));
              duck.add(measure("DuckDB CSV -> Parquet COPY", this::duckdbCopy));
            }
            System.out.printf("pass %d done (load average %s)%n", pass, loadAverage());
          }
          report(pg, pgFlow, duck, duckFlow);
        }
      } finally {
        // PostgreSQL is stopped by now (resources close before finally): about 3 GB at SF 1
        deleteTree(work);
      }
    }

    /** The rows of PostgreSQL's own COPY export, each row read and dropped. */
    long copyOut(String url) throws SQLException {
      try (Connection connection = DriverManager.getConnection(url)) {
        CopyOut copy =
            connection
                .unwrap(PGConnection.class)
                .getCopyAPI()
                // the table form the target names: 4 % faster than COPY (SELECT * FROM lineitem),
                // which runs the scan through the executor
                .copyOut("COPY lineitem TO STDOUT");
        long count = 0;
        while (copy.readFromCopy() != null) {
          count++;
        }
        return count;
      }
    }

    /** DuckDB's own CSV to Parquet, same declared columns, all cores, its default memory limit. */
    long duckdbCopy() throws SQLException, IOException {
      Path out = work.resolve("out");
      deleteTree(out);
      Files.createDirectories(out);
      try (Connection duckdb = DriverManager.getConnection("jdbc:duckdb:");
          Statement statement = duckdb.createStatement()) {
        statement.execute(
            "COPY (SELECT * FROM read_csv('"
                + csv
                + "/*.csv', header = true, columns = "
                + duckColumns()
                + ")) TO '"
                + out.resolve("lineitem.parquet")
                + "' (FORMAT parquet)");
        try (ResultSet result =
            statement.executeQuery(
                "SELECT count(*) FROM read_parquet('" + out.resolve("lineitem.parquet") + "')")) {
          result.next();
          return result.getLong(1);
        }
      } finally {
        deleteTree(out);
      }
    }

    long pipeline(Pipelines pipelines, String name) {
      RunRecord run = pipelines.runOnce(name);
      if (run.status() != PipelineState.FINISHED) {
        throw new IllegalStateException(
            "pipeline " + name + " " + run.status() + ": " + run.error());
      }
      return run.rowsOut();
    }

    Result measure(String side, Step body) throws Exception {
      System.gc();
      List<MemoryPoolMXBean> heap =
          ManagementFactory.getMemoryPoolMXBeans().stream()
              .filter(pool -> pool.getType() == MemoryType.HEAP)
              .toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      // the writes of the step before (a GB of Parquet and spool files) are flushed first, so
      // neither side pays for the other's writeback; steps measured right after a load ran up to
      // 40% slower without it
      new ProcessBuilder("sync").inheritIO().start().waitFor();
      CpuTimes cpu = CpuTimes.now();
      long start = System.nanoTime();
      long count = body.run();
      double seconds = seconds(start);
      String cpuUsed = CpuTimes.now().since(cpu);
      long peak = heap.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();
      if (count != rows) {
        throw new IllegalStateException(side + " produced " + count + " rows, not " + rows);
      }
      Result result = new Result(side, seconds, rows / seconds, peak);
      System.out.printf(
          Locale.ROOT,
          "  %-28s %8.2f s %,12.0f rows/s  peak heap %,5d MiB%n",
          side,
          seconds,
          result.rowsPerSecond(),
          peak >> 20);
      System.out.println("    CPU-s: " + cpuUsed);
      return result;
    }

    void report(List<Result> pg, List<Result> pgFlow, List<Result> duck, List<Result> duckFlow) {
      Result pgBest = best(pg);
      Result pgFlowBest = best(pgFlow);
      Result duckBest = best(duck);
      Result duckFlowBest = best(duckFlow);
      long peak =
          Stream.of(pgFlow, duckFlow)
              .flatMap(List::stream)
              .mapToLong(Result::peakHeap)
              .max()
              .orElse(0);
      System.out.printf(
          Locale.ROOT, "%nlineitem SF %s, %,d rows; best of %d passes%n%n", scale, rows, passes);
      System.out.println(
          "| Load | Baseline rows/s | Dataflow rows/s | Ratio | Target | Dataflow peak heap |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      line(
          "PostgreSQL → lake (jdbc, "
              + (parallelism == 1
                  ? "one stream"
                  : "split "
                      + parallelism
                      + (splitColumn == null ? " by pages" : " by " + splitColumn))
              + ")",
          "PG `COPY TO STDOUT`",
          pgBest,
          pgFlowBest);
      line(
          "CSV → lake (files, declared columns)",
          "DuckDB CSV→Parquet `COPY`",
          duckBest,
          duckFlowBest);
      System.out.printf(
          Locale.ROOT,
          "%nPeak heap over the Dataflow passes: %d MiB of %d MiB max (target < 1024 MiB): %s%n",
          peak >> 20,
          Runtime.getRuntime().maxMemory() >> 20,
          peak < (1L << 30) ? "met" : "MISSED");
    }

    private static void line(String load, String baseline, Result base, Result flow) {
      double ratio = flow.rowsPerSecond() / base.rowsPerSecond();
      System.out.printf(
          Locale.ROOT,
          "| %s | %,.0f (%s) | %,.0f | %.2f | ≥ %.1f: %s | %d MiB |%n",
          load,
          base.rowsPerSecond(),
          baseline,
          flow.rowsPerSecond(),
          ratio,
          TARGET,
          ratio >= TARGET ? "met" : "missed",
          flow.peakHeap() >> 20);
    }

    private static Result best(List<Result> results) {
      return results.stream()
          .max((a, b) -> Double.compare(a.rowsPerSecond(), b.rowsPerSecond()))
          .orElseThrow();
    }

    String jdbcPipeline(String url) {
      return """
          name: pg_lineitem
          origin:
            type: jdbc
            url: "%s"
            user: postgres
            table: lineitem%s
          destination:
            table: bench.pg_lineitem
            mode: overwrite%s%s
          """
          .formatted(
              url,
              parallelism > 1
                  ? "\n  split: {"
                      + (splitColumn == null ? "" : "column: " + splitColumn + ", ")
                      + "parallelism: "
                      + parallelism
                      + "}"
                  : "",
              codec(),
              commit());
    }

    /** The commit line, when the rows per commit were chosen. */
    String commit() {
      return maxRows == null ? "" : "\ncommit: {max_rows: " + maxRows + "}";
    }

    /** The destination's compression line, when one was chosen. */
    String codec() {
      return compression == null ? "" : "\n  compression: " + compression;
    }

    String filesPipeline() {
      StringBuilder declared = new StringBuilder();
      lineitem
          .columns()
          .forEach(
              (name, type) ->
                  declared.append("    ").append(name).append(": \"").append(type).append("\"\n"));
      return """
          name: csv_lineitem
          origin:
            type: files
            path: "%s"
            glob: "*.csv"
            format: csv
            columns:
          %sdestination:
            table: bench.csv_lineitem
            mode: overwrite%s%s
          """
          .formatted(csv, declared, codec(), commit());
    }

    String duckColumns() {
      List<String> entries = new ArrayList<>();
      lineitem.columns().forEach((name, type) -> entries.add("'" + name + "': '" + type + "'"));
      return "{" + String.join(", ", entries) + "}";
    }
  }

  @FunctionalInterface
  private interface Step {
    long run() throws Exception;
  }

  private record Result(String side, double seconds, double rowsPerSecond, long peakHeap) {}

  private static long size(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      return files.filter(Files::isRegularFile).mapToLong(file -> file.toFile().length()).sum();
    }
  }
}
