package dev.dataflow.ingest.files;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Prints, does not assert, how fast a million declared-type CSV rows load: machines differ, regressions show. */
class FileReaderThroughputTest {
  private static final int ROWS = 1_000_000;

  @TempDir Path dir;

  @Test
  void millionCsvRows() throws Exception {
    Path file = dir.resolve("big.csv");
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write("id,name,amount,ts\n");
      for (int i = 0; i < ROWS; i++) {
        out.write(i + ",name" + i + "," + (i % 1000) + "." + (i % 100) + ",2024-01-" + (1 + i % 28) + " 10:00:00\n");
      }
    }
    try (Connection connection = DriverManager.getConnection("jdbc:duckdb:");
        Statement duckdb = connection.createStatement()) {
      long start = System.nanoTime();
      FileReadResult result = FileReader.read(duckdb, file, FileFormat.CSV, CsvOptions.defaults(),
          FileReaderTest.columns("id", "BIGINT", "name", "VARCHAR", "amount", "DECIMAL(12,2)", "ts", "TIMESTAMP"),
          "t", "errors");
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.printf("FileReader CSV throughput: %,d rows (%,d bytes) in %.2f s = %,.0f rows/s%n",
          result.records(), result.bytes(), seconds, result.records() / seconds);
      assertThat(result.good()).isEqualTo(ROWS);
    }
  }
}
