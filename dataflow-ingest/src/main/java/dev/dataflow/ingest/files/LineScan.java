package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.literal;

/**
 * A file read as lines of text, one VARCHAR column {@code __df_line}, through DuckDB's CSV scanner
 * with no quoting and a delimiter that text does not contain. Blank lines come back as NULL, so
 * positions stay line numbers; lines with invalid UTF-8 are rejected. Strict mode is off because it
 * fails a file that mixes LF and CRLF endings; the cost is that a line containing the four
 * delimiter bytes would lose its tail, which only binary data can do.
 */
final class LineScan {
  private static final String DELIMITER = "\u001e\u001f\u0001\u0002";

  /** The longest line: a JSON line holds a whole object, which may be larger than a CSV record. */
  static final long MAX_LINE_SIZE = 64L << 20;

  private LineScan() {}

  static String of(String file, String extraOptions) {
    return "read_csv("
        + literal(file)
        + ", auto_detect=false, header=false, columns={'__df_line': 'VARCHAR'}, "
        + "delim="
        + literal(DELIMITER)
        + ", quote='', escape='', strict_mode=false, max_line_size="
        + MAX_LINE_SIZE
        + extraOptions
        + ")";
  }
}
