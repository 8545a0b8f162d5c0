package dev.dataflow.ingest.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.ingest.RandomRecords;
import dev.dataflow.ingest.RandomRecords.Written;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every record of a file is accounted for: it lands, or it is in the error table with its own text,
 * whatever the file's bytes. Checked against {@link RandomRecords}' count of what it wrote, through
 * both ways a file is read: {@link FileReader} and the pipeline's one-pass {@link CsvScan}.
 *
 * <p>300 CSV cases, each read both ways, and 200 JSON cases: at the default seed 1,483 CSV records
 * and 1,050 JSON lines, about 4,000 record checks in ~13 s. The first count, 2,000 cases, took 38
 * to 64 s on a shared build machine; a new seed ({@code -Ddataflow.seed=N}) searches further.
 */
class RecordAccountingTest {
  private static final int CSV_CASES = 300;
  private static final int JSON_CASES = 200;

  @TempDir Path dir;
  private Connection connection;
  private Statement duckdb;

  @BeforeEach
  void open() throws Exception {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    duckdb = connection.createStatement();
  }

  @AfterEach
  void close() throws Exception {
    duckdb.close();
    connection.close();
  }

  @Test
  void anUnterminatedQuoteOnTheLastLineIsOneErrorRecord() throws Exception {
    Written written = RandomRecords.unterminatedLastLine();
    assertAccounted(written, FileFormat.CSV);
    assertScanned(written);
  }

  @Test
  void everyCsvRecordLandsOrIsAnError() throws Exception {
    long seed = RandomRecords.seed();
    for (int number = 0; number < CSV_CASES; number++) {
      Written written = RandomRecords.csv(seed, number);
      String label = RandomRecords.label(seed, number, written);
      check(label + "\nread", () -> assertAccounted(written, FileFormat.CSV));
      check(label + "\nscanned", () -> assertScanned(written));
    }
  }

  @Test
  void everyJsonLineLandsOrIsAnError() throws Exception {
    long seed = RandomRecords.seed();
    for (int number = 0; number < JSON_CASES; number++) {
      Written written = RandomRecords.jsonLines(seed, number);
      check(
          RandomRecords.label(seed, number, written),
          () -> assertAccounted(written, FileFormat.JSON));
    }
  }

  private interface Check {
    void run() throws Exception;
  }

  private static void check(String label, Check check) throws Exception {
    try {
      check.run();
    } catch (AssertionError | RuntimeException e) {
      throw new AssertionError(label + "\n" + e.getMessage(), e);
    }
  }

  /** Through {@link FileReader}, as a pipeline with stages reads a file. */
  private void assertAccounted(Written written, FileFormat format) throws Exception {
    Path file = Files.write(dir.resolve("case"), written.bytes());
    duckdb.execute("DROP TABLE IF EXISTS errors");
    FileReadResult read =
        FileReader.read(
            duckdb,
            file,
            format,
            written.csv() == null ? CsvOptions.defaults() : written.csv(),
            RandomRecords.COLUMNS,
            "t",
            "errors");
    assertThat(ids("SELECT id FROM t")).as("landed").isEqualTo(sorted(written.good()));
    assertThat(raws()).as("error records").isEqualTo(sorted(written.bad()));
    assertThat(read.records()).as("records read").isEqualTo(written.records());
  }

  /** Through {@link CsvScan}, as a pipeline that reads its input once scans its files. */
  private void assertScanned(Written written) throws Exception {
    Path file = Files.write(dir.resolve("scanned"), written.bytes());
    duckdb.execute("DROP TABLE IF EXISTS errors");
    duckdb.execute(
        "CREATE TABLE errors (file VARCHAR, row BIGINT, raw VARCHAR, stage VARCHAR, reason"
            + " VARCHAR)");
    List<Long> landed;
    try (Statement write = connection.createStatement();
        CsvScan scan =
            CsvScan.of(
                duckdb, List.of(file), List.of("scanned"), written.csv(), RandomRecords.COLUMNS)) {
      // every column, as the write reads them: a column left out is not parsed, nor rejected
      write.execute("CREATE OR REPLACE TABLE scanned AS " + scan.query());
      scan.rejectsTo("errors");
    } catch (SQLException e) {
      // a file the scan fails as a whole is one the pipeline reads again as FileReader
      // does: only a file with a CR, whose first line end is not its every record's
      assertThat(CsvScan.failedWhole(e)).as(e.getMessage()).isTrue();
      assertThat(new String(written.bytes(), UTF_8)).contains("\r");
      return;
    }
    landed = ids("SELECT id FROM scanned");
    assertThat(landed).as("landed").isEqualTo(sorted(written.good()));
    assertThat(raws()).as("error records").isEqualTo(sorted(written.bad()));
  }

  private List<String> raws() throws SQLException {
    List<String> raws = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SELECT raw FROM errors")) {
      while (rows.next()) {
        raws.add(rows.getString(1));
      }
    }
    return sorted(raws);
  }

  private List<Long> ids(String query) throws SQLException {
    List<Long> ids = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery(query)) {
      while (rows.next()) {
        ids.add(rows.getLong(1));
      }
    }
    return sorted(ids);
  }

  private static <T extends Comparable<T>> List<T> sorted(List<T> values) {
    return values.stream().sorted().toList();
  }
}
