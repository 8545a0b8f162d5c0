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
  PARQUET
}
