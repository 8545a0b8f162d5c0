package dev.dataflow.ingest.files;

/** How a source file encodes its records. */
public enum FileFormat {
  /**
   * Delimited text, dialect given by {@link CsvOptions}; one record per line unless a quoted value
   * spans lines.
   */
  CSV,
  /**
   * JSON lines (one object per line) or a single JSON array of objects, told apart by the first
   * non-blank byte.
   */
  JSON,
  /**
   * JSON lines only, as a stream's spool holds them, one message or request line each: a line that
   * opens with '[' is a record (not an object, so an error row), never the start of an array that
   * would make the whole file unreadable.
   */
  JSON_LINES,
  PARQUET
}
