package dev.dataflow.ingest.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.RandomRecords;
import dev.dataflow.ingest.RandomRecords.Written;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.files.CsvOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record a files pipeline reads is accounted for, end to end: records read = rows landed +
 * rows in the error table, each error row's raw its record's text, and the run record and metrics
 * say the same numbers. Files from {@link RandomRecords}, several per pipeline and batch, both when
 * the write scans the files itself and when a stage reads them first.
 */
class PipelineAccountingTest {
  private static final int PIPELINES = 8;
  private static final int FILES = 8;

  @TempDir Path dir;
  private TestPlatform platform;
  private SimpleMeterRegistry registry;
  private Pipelines pipelines;

  @BeforeEach
  void start() {
    platform = new TestPlatform(dir.resolve("data"));
    registry = new SimpleMeterRegistry();
    pipelines = new Pipelines(platform.sql, registry);
  }

  @AfterEach
  void stop() {
    pipelines.close();
    platform.close();
  }

  @Test
  void anUnterminatedQuoteOnTheLastLineReachesTheErrorTable() throws Exception {
    Written written = RandomRecords.unterminatedLastLine();
    assertAccounted("issue_scanned", "csv", written.csv(), List.of(written), "", 1000);
    assertAccounted("issue_staged", "csv", written.csv(), List.of(written), stage(), 1000);
  }

  @Test
  void aQuoteBeforeABareLfInACrLfFileReadsAgainBeforeTheCommit() throws Exception {
    Written written = RandomRecords.quoteBeforeABareLf();
    assertAccounted("ends_scanned", "csv", written.csv(), List.of(written), "", 1000);
  }

  @Test
  void everyCsvRecordLandsOrIsAnError() throws Exception {
    long seed = RandomRecords.seed();
    for (int pipeline = 0; pipeline < PIPELINES; pipeline++) {
      CsvOptions csv = RandomRecords.dialect(seed, -1 - pipeline);
      List<Written> files = new ArrayList<>();
      for (int file = 0; file < FILES; file++) {
        files.add(RandomRecords.csv(seed, pipeline * FILES + file, csv));
      }
      String name = "csv_" + pipeline;
      String stages = pipeline % 2 == 0 ? "" : stage();
      check(seed, name, files, () -> assertAccounted(name, "csv", csv, files, stages, 10));
    }
  }

  @Test
  void everyJsonLineLandsOrIsAnError() throws Exception {
    long seed = RandomRecords.seed();
    for (int pipeline = 0; pipeline < PIPELINES / 2; pipeline++) {
      List<Written> files = new ArrayList<>();
      for (int file = 0; file < FILES; file++) {
        files.add(RandomRecords.jsonLines(seed, pipeline * FILES + file));
      }
      String name = "json_" + pipeline;
      check(seed, name, files, () -> assertAccounted(name, "json", null, files, "", 10));
    }
  }

  private interface Check {
    void run() throws Exception;
  }

  private static void check(long seed, String name, List<Written> files, Check check)
      throws Exception {
    try {
      check.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(
          "seed "
              + seed
              + " (-Ddataflow.seed="
              + seed
              + "), pipeline "
              + name
              + ", files "
              + files
              + "\n"
              + e.getMessage(),
          e);
    }
  }

  private static String stage() {
    return "transforms: [{name: same, sql: SELECT * FROM input}]";
  }

  private void assertAccounted(
      String name, String format, CsvOptions csv, List<Written> files, String extra, int maxRows)
      throws Exception {
    Path source = Files.createDirectories(dir.resolve(name));
    List<Long> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      String file = String.format("f%02d.%s", i, format);
      Files.write(source.resolve(file), files.get(i).bytes());
      good.addAll(files.get(i).good());
      files.get(i).bad().forEach(raw -> bad.add(file + "|" + raw));
    }
    pipelines.apply(yaml(name, source, format, csv, extra, maxRows), dir.resolve(name + ".yaml"));
    RunRecord run = pipelines.runOnce(name);
    assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    assertThat(rows("SELECT id FROM raw." + name, name).stream().map(Long::valueOf).sorted())
        .as("landed")
        .containsExactlyElementsOf(good.stream().sorted().toList());
    assertThat(
            rows(
                "SELECT regexp_extract(file, '[^/]+$') || '|' || raw FROM raw." + name + "_errors",
                name + "_errors"))
        .as("error records")
        .containsExactlyInAnyOrderElementsOf(bad);
    long records = good.size() + bad.size();
    assertThat(List.of(run.rowsIn(), run.rowsOut(), run.rowsError()))
        .as("run record: in, out, error")
        .containsExactly(records, (long) good.size(), (long) bad.size());
    assertThat(List.of(meter("rows.in", name), meter("rows.out", name), meter("rows.error", name)))
        .as("metrics: in, out, error")
        .containsExactly((double) records, (double) good.size(), (double) bad.size());
  }

  private double meter(String counter, String pipeline) {
    var found = registry.find("dataflow.pipeline." + counter).tag("pipeline", pipeline).counter();
    return found == null ? 0 : found.count();
  }

  /** The rows of a query over a table a run may not have created (no error, no error table). */
  private List<String> rows(String query, String table) {
    return platform.lake.tableOrNull(DatasetPath.of("raw", table)) == null
        ? List.of()
        : platform.rows(query);
  }

  private static String yaml(
      String name, Path source, String format, CsvOptions csv, String extra, int maxRows) {
    String dialect =
        csv == null
            ? ""
            : "  csv: {header: %s, delimiter: %s, quote: %s, escape: %s}\n"
                .formatted(
                    csv.header(),
                    quoted(csv.delimiter()),
                    quoted(csv.quote()),
                    quoted(csv.escape()));
    return """
        name: %s
        origin:
          type: files
          path: %s
          glob: "*.%s"
          format: %s
        %s  columns: {id: BIGINT, name: VARCHAR, amount: "DECIMAL(10,2)", day: DATE}
        destination: {table: raw.%s}
        errors: {policy: table}
        commit: {max_rows: %d}
        %s
        """
        .formatted(name, source, format, format, dialect, name, maxRows, extra);
  }

  /** A YAML double-quoted scalar. */
  private static String quoted(String value) {
    return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\t", "\\t") + "\"";
  }
}
