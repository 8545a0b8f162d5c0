package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.literal;
import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CSV files' records as one query that its consumer runs once, in place of reading the files into
 * tables first: a write that scans it parses, converts and encodes in one pass, as DuckDB's own CSV
 * to Parquet copy does. One scan of the list, not a union of scans per file, which measured a third
 * slower. Only for declared types the scanner converts itself ({@link #supports}). What the scan
 * rejects (malformed lines, values that do not convert) is known once the query has run; {@link
 * #rejectsTo} then appends it to an errors table as {@link FileReader#read} would. Lives on one
 * connection; {@link #close} drops its scratch tables.
 */
public final class CsvScan implements AutoCloseable {
  private final SqlSession sql;
  private final CsvReader reader;
  private final Map<String, String> declared;
  private final Rejects rejects;
  private final String source;
  private final String names;

  private CsvScan(
      Statement duckdb,
      List<Path> files,
      List<String> names,
      CsvOptions csv,
      Map<String, String> declared)
      throws SQLException {
    List<String> paths =
        files.stream().map(file -> file.toAbsolutePath().normalize().toString()).toList();
    this.sql = new SqlSession(duckdb.getConnection());
    this.reader = new CsvReader(sql, paths.get(0), csv);
    this.declared = declared;
    this.rejects = new Rejects(sql);
    this.source =
        paths.stream().map(SqlSession::literal).collect(Collectors.joining(", ", "[", "]"));
    StringBuilder named = new StringBuilder("CASE file_path");
    for (int i = 0; i < paths.size(); i++) {
      named.append(" WHEN ").append(literal(paths.get(i))).append(" THEN ");
      named.append(literal(names.get(i)));
    }
    this.names = named.append(" ELSE file_path END").toString();
  }

  /** Whether the scanner converts every one of these declared types (none declared: no). */
  public static boolean supports(Map<String, String> columns) {
    return CsvReader.scansTyped(columns);
  }

  /**
   * The scan of {@code files}, with the declared columns in order; {@code names} says how each file
   * is named in error records.
   *
   * @throws IllegalArgumentException when {@link #supports} does not hold for the columns, or no
   *     file is given
   */
  public static CsvScan of(
      Statement duckdb,
      List<Path> files,
      List<String> names,
      CsvOptions csv,
      LinkedHashMap<String, String> columns)
      throws SQLException {
    requireNonNull(duckdb, "duckdb is null");
    requireNonNull(csv, "csv is null");
    if (files.isEmpty() || files.size() != names.size()) {
      throw new IllegalArgumentException("one name for each of at least one file");
    }
    Map<String, String> declared = FileReader.validated(columns);
    if (!supports(declared)) {
      throw new IllegalArgumentException("the scanner does not convert " + declared.values());
    }
    return new CsvScan(duckdb, files, names, csv, declared);
  }

  /**
   * Whether {@code failure}, of a write that ran the {@link #query} or of {@link #rejectsTo}, is
   * the scanner failing a file as a whole: records ending in both LF and CRLF, which its strict
   * mode cannot read, or runs together. {@link FileReader#read} reads such a file (from a copy with
   * one line end), so the caller can read the files that way instead.
   */
  public static boolean failedWhole(Throwable failure) {
    return LineEnds.failedWhole(failure);
  }

  /** The records, with the declared columns only (no file name or line number). */
  public String query() {
    return reader.typedScan(source, declared, rejects);
  }

  /**
   * Appends what the scan rejected to {@code errors} (file, row, raw, stage, reason); returns how
   * many. Call once the query has run.
   *
   * @throws SQLException for which {@link #failedWhole} holds when the scanner ran records with
   *     another line end together into one reject, good ones too: the scan is to be read again as
   *     if it had failed
   */
  public long rejectsTo(String errors) throws SQLException {
    if (!rejects.any(sql)) {
      return 0;
    }
    if (rejects.ranTogether(sql)) {
      throw LineEnds.ranTogether(source);
    }
    return reader.copyRejects(declared, rejects, SqlSession.tableName(errors), names);
  }

  @Override
  public void close() {
    sql.close();
  }
}
