package dev.dataflow.ingest.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileReaderTest {
  @TempDir Path dir;
  private Connection connection;
  private Statement duckdb;

  @BeforeEach
  void open() throws Exception {
    connection = DriverManager.getConnection("jdbc:duckdb:");
    duckdb = connection.createStatement();
    // as the engine sets it: DuckDB's default is .tmp in the working directory
    duckdb.execute("SET temp_directory = '" + dir.resolve("spill") + "'");
  }

  @AfterEach
  void close() throws Exception {
    duckdb.close();
    connection.close();
  }

  @Test
  void csvWithDeclaredTypes() throws Exception {
    Path file = write("a.csv", "id,amount,ts\n1,12.50,2024-01-02 03:04:05\n2,\"7\",\n");
    FileReadResult result =
        read(
            file,
            FileFormat.CSV,
            columns("id", "BIGINT", "amount", "DECIMAL(12,2)", "ts", "TIMESTAMP"));
    assertThat(result).isEqualTo(new FileReadResult(2, 2, 0, Files.size(file)));
    assertThat(
            rows("SELECT id, amount, ts, __df_row, __df_file = '" + file + "' FROM t ORDER BY id"))
        .containsExactly("1|12.50|2024-01-02 03:04:05.0|2|true", "2|7.00|null|3|true");
    assertThat(rows("SELECT column_type FROM (DESCRIBE t)"))
        .containsExactly("BIGINT", "DECIMAL(12,2)", "TIMESTAMP", "VARCHAR", "BIGINT");
  }

  @Test
  void aLargeCsvWithDeclaredTypesNumbersEachRecordByItsLine() throws Exception {
    // ~85 MB, which DuckDB's scanner splits between threads: the rows must still be numbered in
    // file order
    duckdb.execute("SET threads = 4");
    Path file = dir.resolve("big.csv");
    duckdb.execute(
        "COPY (SELECT i AS id, repeat('x', i % 50) AS pad FROM range(1, 2500001) AS r(i)) TO '"
            + file
            + "' (HEADER true)");
    FileReadResult result = read(file, FileFormat.CSV, columns("id", "BIGINT", "pad", "VARCHAR"));
    assertThat(result.good()).isEqualTo(2_500_000);
    assertThat(rows("SELECT count(*) FILTER (WHERE __df_row = id + 1) FROM t"))
        .containsExactly("2500000");
  }

  @Test
  void csvInferred() throws Exception {
    Path file = write("a.csv", "id,name,day\n1,ann,2024-01-02\n2,bob,2024-02-03\n");
    FileReadResult result = read(file, FileFormat.CSV, new LinkedHashMap<>());
    assertThat(result.good()).isEqualTo(2);
    assertThat(rows("SELECT column_name || ':' || column_type FROM (DESCRIBE t)"))
        .containsExactly(
            "id:BIGINT", "name:VARCHAR", "day:DATE", "__df_file:VARCHAR", "__df_row:BIGINT");
    assertThat(rows("SELECT id, name, day, __df_row FROM t"))
        .containsExactly("1|ann|2024-01-02|2", "2|bob|2024-02-03|3");
  }

  @Test
  void csvInferredKeepsRejects() throws Exception {
    Path file = write("a.csv", "id,name\n1,ann\n2,bob,extra\n3,cy\n");
    FileReadResult result = read(file, FileFormat.CSV, new LinkedHashMap<>());
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(2L, 1L);
    assertThat(rows("SELECT id, __df_row FROM t")).containsExactly("1|2", "3|4");
    assertThat(rows("SELECT \"row\", raw, stage FROM errors"))
        .containsExactly("3|2,bob,extra|parse");
  }

  @Test
  void malformedCsvLinesAreParseErrorsAndGoodLinesStay() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("id,name,amount\n1,ann,1.5\n2,bob,2,extra\n3,cy\n".getBytes(UTF_8));
    bytes.writeBytes(new byte[] {'4', ',', (byte) 0xFF, (byte) 0xFE, ',', '4', '\n'});
    bytes.writeBytes("5,dee,5\n6,\"unclosed,6\n".getBytes(UTF_8));
    Path file = dir.resolve("bad.csv");
    Files.write(file, bytes.toByteArray());
    FileReadResult result =
        read(file, FileFormat.CSV, columns("id", "INTEGER", "name", "VARCHAR", "amount", "DOUBLE"));
    assertThat(result)
        .extracting(FileReadResult::records, FileReadResult::good, FileReadResult::bad)
        .containsExactly(6L, 2L, 4L);
    assertThat(rows("SELECT id, name, __df_row FROM t")).containsExactly("1|ann|2", "5|dee|6");
    List<String> errors = rows("SELECT \"row\", stage, raw, reason FROM errors ORDER BY \"row\"");
    assertThat(errors).hasSize(4).allSatisfy(error -> assertThat(error).contains("|parse|"));
    assertThat(errors.get(0)).startsWith("3|parse|2,bob,2,extra|too many columns");
    assertThat(errors.get(1)).startsWith("4|parse|3,cy|missing columns");
    assertThat(errors.get(2)).startsWith("5|parse|4,").contains("invalid encoding");
    assertThat(errors.get(3)).startsWith("7|parse|6,\"unclosed,6").contains("unquoted value");
  }

  @Test
  void typeMismatchIsCastErrorNamingColumnValueAndType() throws Exception {
    Path file = write("a.csv", "id,amount,note\n1,abc,\"x,y\"\n2,3.25,ok\nz,1,\n");
    FileReadResult result =
        read(
            file,
            FileFormat.CSV,
            columns("id", "BIGINT", "amount", "DECIMAL(12,2)", "note", "VARCHAR"));
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(1L, 2L);
    assertThat(rows("SELECT id, amount, __df_row FROM t")).containsExactly("2|3.25|3");
    assertThat(rows("SELECT \"row\", stage, raw, reason FROM errors ORDER BY \"row\""))
        .containsExactly(
            "2|cast|1,abc,\"x,y\"|column amount: 'abc' is not a DECIMAL(12,2)",
            "4|cast|z,1,|column id: 'z' is not a BIGINT");
  }

  @Test
  void tenMegabyteFieldReads() throws Exception {
    String big = "x".repeat(10 << 20);
    Path file = write("big.csv", "id,blob\n1,\"" + big + "\"\n2,y\n");
    FileReadResult result = read(file, FileFormat.CSV, columns("id", "BIGINT", "blob", "VARCHAR"));
    assertThat(result.good()).isEqualTo(2);
    assertThat(rows("SELECT id, length(blob) FROM t")).containsExactly("1|" + (10 << 20), "2|1");
  }

  @Test
  void csvMixingLfAndCrLfLinesLandsEveryRecordWithoutItsCr() throws Exception {
    // DuckDB's strict scanner fails such a file as a whole: no record landed, none in errors
    Path file =
        write(
            "mixed.csv",
            "id,name,amount\r\n1,ann,1.5\n2,bob,2,extra\r\n3,cy,3\r\nx,dee,4\n5,ed,\n");
    LinkedHashMap<String, String> typed =
        columns("id", "BIGINT", "name", "VARCHAR", "amount", "DOUBLE");
    assertThat(read(file, FileFormat.CSV, typed))
        .extracting(FileReadResult::records, FileReadResult::good, FileReadResult::bad)
        .containsExactly(5L, 3L, 2L);
    assertThat(rows("SELECT id, name, amount, __df_row FROM t ORDER BY id"))
        .containsExactly("1|ann|1.5|2", "3|cy|3.0|4", "5|ed|null|6");
    assertThat(rows("SELECT \"row\", stage, raw FROM errors ORDER BY \"row\""))
        .containsExactly("3|parse|2,bob,2,extra", "5|cast|x,dee,4");
    assertThat(read(file, FileFormat.CSV, new LinkedHashMap<>()).good()).isEqualTo(4);
    assertThat(rows("SELECT name, amount FROM t ORDER BY __df_row"))
        .containsExactly("ann|1.5", "cy|3", "dee|4", "ed|null");
  }

  @Test
  void csvWithACrLfInsideAQuotedValueOfAnLfFileReads() throws Exception {
    // the quoted CR is the file's first line-end byte: DuckDB took CRLF as the file's line end
    Path file = write("quoted.csv", "1,\"a\r\nb\"\n2,c\r\n3,d,extra\n4,\"e\r\n\"\r\n");
    FileReadResult result =
        FileReader.read(
            duckdb,
            file,
            FileFormat.CSV,
            new CsvOptions(false, ",", "\"", "\"", ""),
            columns("id", "BIGINT", "name", "VARCHAR"),
            "t",
            "errors");
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(3L, 1L);
    assertThat(rows("SELECT id, replace(name, chr(13), '\\r') FROM t ORDER BY id"))
        .containsExactly("1|a\\r\nb", "2|c", "4|e\\r\n");
    assertThat(rows("SELECT raw FROM errors")).containsExactly("3,d,extra");
  }

  @Test
  void csvWithAClosingQuoteBeforeTheOtherLineEndReadsEveryRecord() throws Exception {
    // no error: in a CRLF file DuckDB ran "b" LF up to the file's end into one reject; in an LF
    // file it rejected "b" CR LF
    for (String content :
        List.of(
            "id,name\r\n1,\"a\"\r\n2,\"b\"\n3,c\r\n4,d,extra\r\n",
            "id,name\n1,\"a\"\n2,\"b\"\r\n3,c\n4,d,extra\n")) {
      duckdb.execute("DROP TABLE IF EXISTS errors");
      Path file = write("ends.csv", content);
      assertThat(read(file, FileFormat.CSV, columns("id", "BIGINT", "name", "VARCHAR")))
          .extracting(FileReadResult::good, FileReadResult::bad)
          .containsExactly(3L, 1L);
      assertThat(rows("SELECT id, name, __df_row FROM t ORDER BY id"))
          .containsExactly("1|a|2", "2|b|3", "3|c|4");
      assertThat(rows("SELECT \"row\", raw FROM errors")).containsExactly("5|4,d,extra");
    }
  }

  @Test
  void emptyAndHeaderOnlyFilesHaveNoRecords() throws Exception {
    for (String content : List.of("", "id,name\n")) {
      for (LinkedHashMap<String, String> columns :
          List.of(
              columns("id", "BIGINT", "name", "VARCHAR"), new LinkedHashMap<String, String>())) {
        Path file = write("e.csv", content);
        assertThat(read(file, FileFormat.CSV, columns).records()).isZero();
        assertThat(rows("SELECT count(*) FROM t")).containsExactly("0");
      }
    }
    assertThat(read(write("e.json", ""), FileFormat.JSON, new LinkedHashMap<>()).records())
        .isZero();
    assertThat(read(write("e.parquet", ""), FileFormat.PARQUET, new LinkedHashMap<>()).records())
        .isZero();
    assertThat(rows("SELECT count(*) FROM errors")).containsExactly("0");
  }

  @Test
  void jsonLines() throws Exception {
    Path file =
        write(
            "a.jsonl",
            "{\"id\":1,\"amount\":\"12.5\",\"tags\":[1,2]}\n\n{\"id\":2}\n{\"id\":3,\n"
                + "{\"id\":\"x\",\"amount\":1}\n[1,2]\n{\"id\":6,\"amount\":null,\"name\":\"a\\\"b\"}\n");
    FileReadResult result =
        read(
            file,
            FileFormat.JSON,
            columns(
                "id", "BIGINT", "amount", "DECIMAL(12,2)", "tags", "INTEGER[]", "name", "VARCHAR"));
    assertThat(result)
        .extracting(FileReadResult::records, FileReadResult::good, FileReadResult::bad)
        .containsExactly(6L, 3L, 3L);
    assertThat(rows("SELECT id, amount, tags, name, __df_row FROM t ORDER BY id"))
        .containsExactly("1|12.50|[1, 2]|null|1", "2|null|null|null|3", "6|null|null|a\"b|7");
    assertThat(rows("SELECT \"row\", stage, raw, reason FROM errors ORDER BY \"row\""))
        .containsExactly(
            "4|parse|{\"id\":3,|invalid JSON",
            "5|cast|{\"id\":\"x\",\"amount\":1}|column id: 'x' is not a BIGINT",
            "6|parse|[1,2]|valid JSON but not an object");
  }

  @Test
  void jsonLinesWithInvalidUtf8AndInference() throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes("{\"id\":1,\"ts\":\"2024-01-02 03:04:05\"}\n".getBytes(UTF_8));
    bytes.writeBytes(new byte[] {'{', '"', 'i', 'd', '"', ':', '"', (byte) 0xFF, '"', '}', '\n'});
    bytes.writeBytes("{\"id\":3}\n".getBytes(UTF_8));
    Path file = dir.resolve("u.jsonl");
    Files.write(file, bytes.toByteArray());
    FileReadResult result = read(file, FileFormat.JSON, new LinkedHashMap<>());
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(2L, 1L);
    assertThat(rows("SELECT id, __df_row FROM t ORDER BY id")).containsExactly("1|1", "3|3");
    assertThat(rows("SELECT \"row\", stage FROM errors")).containsExactly("2|parse");
  }

  @Test
  void inferredColumnsComeFromTheObjectLinesAlone() throws Exception {
    Path file =
        write(
            "n.jsonl", "{\"id\":1,\"v\":\"a\"}\n42\n\"text\"\n[1,2]\nnull\n{\"id\":2,\"w\":2.5}\n");
    FileReadResult result = read(file, FileFormat.JSON, new LinkedHashMap<>());
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(2L, 4L);
    assertThat(rows("SELECT id, v, w, __df_row FROM t ORDER BY id"))
        .containsExactly("1|a|null|1", "2|null|2.5|6");
    assertThat(rows("SELECT \"row\", raw, reason FROM errors ORDER BY \"row\""))
        .containsExactly(
            "2|42|valid JSON but not an object",
            "3|\"text\"|valid JSON but not an object",
            "4|[1,2]|valid JSON but not an object",
            "5|null|valid JSON but not an object");
  }

  @Test
  void inferredColumnsOfAnArrayComeFromItsObjectsAlone() throws Exception {
    Path file = write("n.json", "[{\"id\": 1,\n \"v\": \"a\"}, 7, {\"id\": 3}]");
    read(file, FileFormat.JSON, new LinkedHashMap<>());
    assertThat(rows("SELECT id, v, __df_row FROM t ORDER BY id"))
        .containsExactly("1|a|1", "3|null|3");
    assertThat(rows("SELECT \"row\", raw FROM errors")).containsExactly("2|7");
  }

  @Test
  void jsonArray() throws Exception {
    Path file =
        write("a.json", "  [ {\"id\": 1, \"v\": \"a\"},\n {\"id\": 2},\n {\"id\": \"no\"} ]");
    FileReadResult result = read(file, FileFormat.JSON, columns("id", "INTEGER", "v", "VARCHAR"));
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(2L, 1L);
    assertThat(rows("SELECT id, v, __df_row FROM t ORDER BY id"))
        .containsExactly("1|a|1", "2|null|2");
    assertThat(rows("SELECT \"row\", stage, reason FROM errors"))
        .containsExactly("3|cast|column id: 'no' is not a INTEGER");
    read(file, FileFormat.JSON, new LinkedHashMap<>());
    assertThat(rows("SELECT column_name FROM (DESCRIBE t)"))
        .containsExactly("id", "v", "__df_file", "__df_row");
  }

  @Test
  void parquetWithDeclaredCast() throws Exception {
    Path file = dir.resolve("a.parquet");
    duckdb.execute(
        "COPY (SELECT * FROM (VALUES (1, '10'), (2, 'ten'), (3, NULL)) v(id, n)) TO '"
            + file
            + "' (FORMAT parquet)");
    FileReadResult result =
        read(file, FileFormat.PARQUET, columns("id", "BIGINT", "n", "INTEGER", "missing", "DATE"));
    assertThat(result)
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(2L, 1L);
    assertThat(rows("SELECT id, n, missing, __df_row FROM t ORDER BY id"))
        .containsExactly("1|10|null|1", "3|null|null|3");
    assertThat(rows("SELECT \"row\", stage, raw, reason FROM errors"))
        .containsExactly("2|cast|{'id': 2, 'n': ten}|column n: 'ten' is not a INTEGER");
  }

  @Test
  void unreadableParquetIsInvalidArgument() throws Exception {
    Path file = write("bad.parquet", "not parquet at all");
    assertThatThrownBy(() -> read(file, FileFormat.PARQUET, new LinkedHashMap<>()))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining(file.toString())
        .extracting(e -> ((DataflowException) e).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void missingFileIsNotFound() {
    Path file = dir.resolve("gone.csv");
    assertThatThrownBy(() -> read(file, FileFormat.CSV, new LinkedHashMap<>()))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining(file.toString())
        .extracting(e -> ((DataflowException) e).code())
        .isEqualTo(ErrorCode.NOT_FOUND);
  }

  @Test
  void rejectsATypeThatIsNotATypeName() throws Exception {
    Path file = write("a.csv", "id\n1\n");
    assertThatThrownBy(() -> read(file, FileFormat.CSV, columns("id", "INT); DROP TABLE x; --")))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("column id");
  }

  @Test
  void errorsAccumulateAcrossFilesAndScratchTablesAreDropped() throws Exception {
    read(write("a.csv", "id\nx\n"), FileFormat.CSV, columns("id", "BIGINT"));
    read(write("b.csv", "id\ny\n"), FileFormat.CSV, columns("id", "BIGINT"));
    assertThat(rows("SELECT count(*) FROM errors")).containsExactly("2");
    assertThat(rows("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__df_%'"))
        .containsExactly("0");
    assertThat(duckdb.isClosed()).isFalse();
  }

  @Test
  void worksInALockedDownDatabase() throws Exception {
    Path file = write("a.csv", "id,amount\n1,2.5\n2,x\n3,4,5\n");
    Path json = write("a.jsonl", "{\"id\":1}\n{\"id\":\n");
    duckdb.execute("SET allowed_directories = ['" + dir + "/']");
    duckdb.execute("SET enable_external_access = false");
    assertThat(read(file, FileFormat.CSV, columns("id", "BIGINT", "amount", "DOUBLE")))
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(1L, 2L);
    assertThat(read(file, FileFormat.CSV, new LinkedHashMap<>()).good()).isEqualTo(2);
    assertThat(read(json, FileFormat.JSON, new LinkedHashMap<>()))
        .extracting(FileReadResult::good, FileReadResult::bad)
        .containsExactly(1L, 1L);
  }

  private FileReadResult read(Path file, FileFormat format, LinkedHashMap<String, String> columns) {
    return FileReader.read(duckdb, file, format, CsvOptions.defaults(), columns, "t", "errors");
  }

  private Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content, UTF_8);
  }

  static LinkedHashMap<String, String> columns(String... nameThenType) {
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < nameThenType.length; i += 2) {
      columns.put(nameThenType[i], nameThenType[i + 1]);
    }
    return columns;
  }

  private List<String> rows(String sql) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Statement statement = connection.createStatement();
        ResultSet result = statement.executeQuery(sql)) {
      int width = result.getMetaData().getColumnCount();
      while (result.next()) {
        List<String> values = new ArrayList<>();
        for (int i = 1; i <= width; i++) {
          values.add(String.valueOf(result.getObject(i)));
        }
        rows.add(String.join("|", values));
      }
    }
    return rows;
  }
}
