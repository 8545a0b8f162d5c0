package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;
import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads one source file into DuckDB, splitting off the records that cannot be read. All work is
 * set-based SQL on the caller's connection; the file is the only thing read, and nothing is written
 * outside the database.
 *
 * <p>Not thread-safe per connection (DuckDB connections are not); scratch tables are temporary,
 * uniquely named per call and dropped before returning. The target is replaced and errors appended
 * in separate statements: run the call inside a transaction for all-or-nothing. Row numbers rely on
 * DuckDB's {@code preserve_insertion_order} (the default).
 */
public final class FileReader {
  /**
   * Type names as DuckDB writes them; anything else (quotes, semicolons) cannot be a type and must
   * not reach SQL.
   */
  private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_ ,.()\\[\\]\"]+");

  private FileReader() {}

  /**
   * Reads one file into DuckDB table {@code target} (created, replacing any table of that name):
   * the declared (or inferred) columns plus {@code __df_file VARCHAR} (the file path) and {@code
   * __df_row BIGINT} (1-based line number for CSV and JSON lines, record number for JSON arrays and
   * Parquet), and appends every record that cannot be read to table {@code errors} (created if
   * absent) with columns (file, row, raw, stage, reason): stage 'parse' for structure (malformed
   * CSV line, JSON syntax error, invalid UTF-8) and 'cast' for a value that does not fit its
   * declared type, the reason naming column, value and type.
   *
   * <p>CSV line numbers are DuckDB's: exact unless a quoted value spans lines or the file has blank
   * lines, after which they count such records as one line.
   *
   * @param duckdb any statement of the connection to use; it is not executed on, so it stays open
   * @param columns declared columns in order, name to DuckDB type; empty to infer them from the
   *     file
   * @throws DataflowException NOT_FOUND if the file is missing, INVALID_ARGUMENT if it cannot be
   *     read at all
   */
  public static FileReadResult read(
      Statement duckdb,
      Path file,
      FileFormat format,
      CsvOptions csv,
      LinkedHashMap<String, String> columns,
      String target,
      String errors) {
    requireNonNull(duckdb, "duckdb is null");
    requireNonNull(file, "file is null");
    requireNonNull(format, "format is null");
    requireNonNull(csv, "csv is null");
    requireNonNull(columns, "columns is null");
    requireNonNull(target, "target is null");
    requireNonNull(errors, "errors is null");
    Map<String, String> declared = validated(columns);
    Path path = file.toAbsolutePath().normalize();
    try (SqlSession sql = new SqlSession(duckdb.getConnection())) {
      long bytes = size(path);
      createErrors(sql, SqlSession.tableName(errors));
      return bytes == 0
          ? empty(sql, path, declared, SqlSession.tableName(target))
          : read(
              sql,
              path,
              format,
              csv,
              declared,
              SqlSession.tableName(target),
              SqlSession.tableName(errors),
              bytes);
    } catch (SQLException e) {
      throw failure(path, format, e);
    }
  }

  private static FileReadResult read(
      SqlSession sql,
      Path path,
      FileFormat format,
      CsvOptions csv,
      Map<String, String> declared,
      String target,
      String errors,
      long bytes)
      throws SQLException {
    String file = path.toString();
    return switch (format) {
      case CSV -> new CsvReader(sql, file, csv).read(declared, target, errors, bytes);
      case JSON ->
          new JsonReader(sql, file, startsArray(path)).read(declared, target, errors, bytes);
      case JSON_LINES -> new JsonReader(sql, file, false).read(declared, target, errors, bytes);
      case PARQUET -> new ParquetReader(sql, file).read(declared, target, errors, bytes);
    };
  }

  static Map<String, String> validated(LinkedHashMap<String, String> columns) {
    for (Map.Entry<String, String> column : columns.entrySet()) {
      if (column.getKey() == null || column.getKey().isBlank()) {
        throw new DataflowException(ErrorCode.INVALID_ARGUMENT, "a declared column has no name");
      }
      if (column.getValue() == null || !TYPE.matcher(column.getValue()).matches()) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "column "
                + column.getKey()
                + ": '"
                + column.getValue()
                + "' is not a DuckDB type name; use e.g. BIGINT, DECIMAL(12,2), TIMESTAMP");
      }
    }
    return new LinkedHashMap<>(columns);
  }

  private static void createErrors(SqlSession sql, String errors) throws SQLException {
    sql.update(
        "CREATE TABLE IF NOT EXISTS "
            + errors
            + " (\"file\" VARCHAR, \"row\" BIGINT, \"raw\" VARCHAR, "
            + "\"stage\" VARCHAR, \"reason\" VARCHAR)");
  }

  /**
   * A 0-byte file has no records in any format, though DuckDB would call it a malformed Parquet
   * file.
   */
  private static FileReadResult empty(
      SqlSession sql, Path path, Map<String, String> declared, String target) throws SQLException {
    String columns =
        declared.entrySet().stream()
            .map(
                column ->
                    "NULL::" + column.getValue() + " AS " + identifier(column.getKey()) + ", ")
            .collect(Collectors.joining());
    sql.update(
        "CREATE OR REPLACE TABLE "
            + target
            + " AS SELECT "
            + columns
            + literal(path.toString())
            + " AS __df_file, NULL::BIGINT AS __df_row LIMIT 0");
    return new FileReadResult(0, 0, 0, 0);
  }

  private static long size(Path path) {
    try {
      return Files.size(path);
    } catch (NoSuchFileException e) {
      throw notFound(path);
    } catch (IOException e) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * A JSON file whose first non-blank byte (after a UTF-8 byte order mark) is '[' is one array of
   * records.
   */
  private static boolean startsArray(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      int b;
      while ((b = in.read()) != -1) {
        if (b != ' ' && b != '\t' && b != '\r' && b != '\n' && b != 0xEF && b != 0xBB
            && b != 0xBF) {
          return b == '[';
        }
      }
      return false;
    } catch (NoSuchFileException e) {
      throw notFound(path);
    } catch (IOException e) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "cannot read " + path + ": " + e.getMessage(), e);
    }
  }

  private static DataflowException failure(Path path, FileFormat format, SQLException e) {
    if (!Files.exists(path)) {
      return notFound(path);
    }
    String reason =
        e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
    String hint =
        switch (format) {
          case CSV -> "check the delimiter, quote and escape options, or declare the columns";
          case JSON ->
              "check that it holds one JSON object per line or a single JSON array, or declare the columns";
          case JSON_LINES -> "check that it holds one JSON object per line";
          case PARQUET -> "check that it is a complete Parquet file";
        };
    return new DataflowException(
        ErrorCode.INVALID_ARGUMENT,
        "cannot read " + path + " as " + format + ": " + reason + "; " + hint,
        e);
  }

  /** The error of a source file that is gone. */
  public static DataflowException notFound(Path path) {
    return new DataflowException(
        ErrorCode.NOT_FOUND,
        "source file " + path + " does not exist (deleted or moved?); check the source directory");
  }
}
