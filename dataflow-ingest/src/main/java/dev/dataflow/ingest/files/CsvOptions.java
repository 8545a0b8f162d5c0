package dev.dataflow.ingest.files;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;

/**
 * The CSV dialect. {@code quote} and {@code escape} are one character or empty (no quoting); {@code
 * delimiter} is 1 to 4 bytes, as DuckDB allows; a field equal to {@code nullString} (unquoted)
 * reads as NULL.
 */
public record CsvOptions(
    boolean header, String delimiter, String quote, String escape, String nullString) {
  public CsvOptions {
    requireNonNull(delimiter, "delimiter is null");
    requireNonNull(quote, "quote is null");
    requireNonNull(escape, "escape is null");
    requireNonNull(nullString, "nullString is null");
    int delimiterBytes = delimiter.getBytes(UTF_8).length;
    if (delimiterBytes < 1 || delimiterBytes > 4) {
      throw invalid("delimiter must be 1 to 4 bytes, got '" + delimiter + "'");
    }
    if (quote.length() > 1 || escape.length() > 1) {
      throw invalid(
          "quote and escape must be one character or empty, got '"
              + quote
              + "' and '"
              + escape
              + "'");
    }
  }

  /** RFC 4180: header line, comma, double quote escaped by doubling, empty field = NULL. */
  public static CsvOptions defaults() {
    return new CsvOptions(true, ",", "\"", "\"", "");
  }

  private static DataflowException invalid(String message) {
    return new DataflowException(ErrorCode.INVALID_ARGUMENT, "invalid CSV options: " + message);
  }
}
