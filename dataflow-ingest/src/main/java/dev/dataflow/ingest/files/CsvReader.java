package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * CSV, with the dialect fixed (no sniffing, so one malformed line cannot change how the others
 * parse). Declared scalar types are converted by DuckDB's scanner in one pass, its rejects
 * (malformed lines and values that do not convert) going to the errors table. Otherwise (inferred
 * or other types, or if that scan fails outside a transaction) every field is scanned as VARCHAR,
 * structural rejects go to the errors table, and the split casts the declared types. A file whose
 * records end in both LF and CRLF, which the scanner fails as a whole, is read from a copy with one
 * line end ({@link LineEnds}).
 */
final class CsvReader {
  /**
   * A 10 MB field plus its line must fit; DuckDB's default (2 MB) would reject it. No more: the
   * scanner's parallelism shrinks as this grows (1M lineitem rows, 2 threads: 0.71 s to scan with
   * 64 MB, 0.37 to 0.39 s with 16 MB; 9M short rows: 0.95 against 0.65 s).
   */
  static final long MAX_LINE_SIZE = 16L << 20;

  /**
   * Types the scanner converts itself, with TRY_CAST's rules; anything else (nested types, JSON,
   * intervals, ...) goes through the two-pass path.
   */
  private static final Pattern SCANNED_TYPE =
      Pattern.compile(
          "(?i)\\s*(VARCHAR|TEXT|STRING|BOOLEAN|BOOL|TINYINT|SMALLINT|INTEGER|INT|BIGINT|HUGEINT"
              + "|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DATE|TIME"
              + "|TIMESTAMP|DATETIME|(DECIMAL|NUMERIC)\\s*\\(\\s*\\d+\\s*,\\s*\\d+\\s*\\))\\s*");

  private final SqlSession sql;

  /** The file as rows and errors name it. */
  private final String file;

  /** What the scanner reads: the file, or its copy with one line end. */
  private final String source;

  private final CsvOptions csv;

  /** DuckDB's {@code new_line} option, or null to take the file's first line end. */
  private final String newLine;

  CsvReader(SqlSession sql, String file, CsvOptions csv) {
    this(sql, file, file, csv, null);
  }

  private CsvReader(SqlSession sql, String file, String source, CsvOptions csv, String newLine) {
    this.sql = sql;
    this.file = file;
    this.source = source;
    this.csv = csv;
    this.newLine = newLine;
  }

  FileReadResult read(Map<String, String> declared, String target, String errors, long bytes)
      throws SQLException {
    try {
      return readAsWritten(declared, target, errors, bytes);
    } catch (SQLException e) {
      // inside the caller's transaction a failed statement aborts it: nothing to fall back on
      if (newLine != null || !LineEnds.failedWhole(e) || !sql.autoCommit()) {
        throw e;
      }
      return fromCopy(declared, target, errors, bytes);
    }
  }

  /** Reads the file from a copy whose records all end in LF. */
  private FileReadResult fromCopy(
      Map<String, String> declared, String target, String errors, long bytes) throws SQLException {
    String copy = LineEnds.copy(sql, Path.of(source), csv).toString();
    return new CsvReader(sql, file, copy, csv, LineEnds.LF)
        .readAsWritten(declared, target, errors, bytes);
  }

  /**
   * Whether the scan ran records with another line end together ({@link Rejects#ranTogether}), so
   * the file is to be read {@link #fromCopy}, its rejects then dropped (the copy's scan stores its
   * own under the same names). A copy is read with its one line end set: never.
   */
  private boolean ranTogether(Rejects rejects) throws SQLException {
    if (newLine != null || !rejects.ranTogether(sql)) {
      return false;
    }
    rejects.drop(sql);
    return true;
  }

  private FileReadResult readAsWritten(
      Map<String, String> declared, String target, String errors, long bytes) throws SQLException {
    if (scansTyped(declared)) {
      try {
        return typed(declared, target, errors, bytes);
      } catch (SQLException e) {
        // the two-pass scan would fail the same way
        if (sql.autoCommit() && !LineEnds.failedWhole(e)) {
          return staged(declared, target, errors, bytes);
        }
        throw e;
      }
    }
    return staged(declared, target, errors, bytes);
  }

  /** Whether the scanner converts every declared type itself (none declared: no). */
  static boolean scansTyped(Map<String, String> declared) {
    return !declared.isEmpty()
        && declared.values().stream().allMatch(type -> SCANNED_TYPE.matcher(type).matches());
  }

  /**
   * The records of {@code source} (what read_csv reads: a file or a list of them) with the declared
   * columns, converted by the scanner in one pass, its rejects (malformed lines and values that do
   * not convert) going to {@code rejects}.
   */
  String typedScan(String source, Map<String, String> declared, Rejects rejects) {
    List<Field> fields = fields(declared);
    String columns =
        fields.stream()
            .map(field -> field.source() + " AS " + identifier(field.name()))
            .collect(Collectors.joining(", "));
    String types =
        fields.stream()
            .map(field -> literal(field.source().replace("\"", "")) + ": " + literal(field.type()))
            .collect(Collectors.joining(", ", "{", "}"));
    return "SELECT " + columns + " FROM " + scan(source, types, false, rejects);
  }

  /**
   * Appends {@code rejects} of a {@link #typedScan} to {@code errors}, a line whose only problems
   * are values that do not convert as one 'cast' error, the file named by {@code file} (SQL over
   * {@code file_path}); returns how many.
   */
  long copyRejects(Map<String, String> declared, Rejects rejects, String errors, String file)
      throws SQLException {
    return rejects.copyTo(sql, errors, file, castReason(fields(declared)));
  }

  /**
   * One pass: the scanner converts the declared types itself, so its rejects hold both malformed
   * lines and values that do not convert, and the good records land typed. Record positions become
   * line numbers as in {@link RecordSplit#correctLines}, rewriting the target only when something
   * was rejected.
   */
  private FileReadResult typed(
      Map<String, String> declared, String target, String errors, long bytes) throws SQLException {
    Rejects rejects = new Rejects(sql);
    List<Field> fields = fields(declared);
    long firstLine = csv.header() ? 2 : 1;
    long good =
        sql.update(
            "CREATE OR REPLACE TABLE "
                + target
                + " AS SELECT *, "
                + literal(file)
                + " AS __df_file, CAST(NULL AS BIGINT) AS __df_row FROM ("
                + typedScan(literal(source), declared, rejects)
                + ")");
    // numbered after the scan, not by row_number() OVER () in it: that window runs the parallel
    // scan through one thread (1M lineitem rows: 1.0 s against 0.55 s + 0.15 s for this update);
    // the table keeps the scan's order, so a row's rowid is its record's position in the file
    sql.update("UPDATE " + target + " SET __df_row = rowid + " + firstLine);
    if (!rejects.any(sql)) {
      return new FileReadResult(good, good, 0, bytes);
    }
    if (ranTogether(rejects)) {
      return fromCopy(declared, target, errors, bytes);
    }
    String names =
        fields.stream()
            .map(field -> "s." + identifier(field.name()) + ", ")
            .collect(Collectors.joining());
    RecordSplit split =
        new RecordSplit(
            sql,
            file,
            "(SELECT *, __df_row - " + (firstLine - 1) + " AS __df_seq FROM " + target + ")",
            fields,
            "NULL",
            "true",
            firstLine);
    split.correctLines(rejects.table);
    sql.update(
        "CREATE OR REPLACE TABLE "
            + target
            + " AS SELECT "
            + names
            + "s.__df_file, "
            + split.row()
            + " AS __df_row FROM "
            + split.from()
            + " ORDER BY s.__df_seq");
    long bad = copyRejects(declared, rejects, errors, literal(file));
    return new FileReadResult(good + bad, good, bad, bytes);
  }

  /**
   * The reason for a CAST reject, in the two-pass path's words; the value is the one DuckDB quotes
   * in its message, which stops at a line break inside the value.
   */
  private static String castReason(List<Field> fields) {
    String value =
        "regexp_replace(regexp_replace(error_message, '(?s)^.*?Could not convert string \"', ''), "
            + "'(?s)\" to ''[^'']*''\\s*$', '')";
    StringBuilder reason = new StringBuilder("CASE column_idx");
    int position = 1;
    for (Field field : fields) {
      Field shown = new Field(field.name(), field.type(), field.source(), value);
      reason.append(" WHEN ").append(position++).append(" THEN ").append(shown.reason());
    }
    return reason
        .append(" ELSE lower(error_type::VARCHAR) || ': ' || error_message END")
        .toString();
  }

  private FileReadResult staged(
      Map<String, String> declared, String target, String errors, long bytes) throws SQLException {
    Map<String, String> columns =
        declared.isEmpty() ? new CsvSniffer(sql, source, csv, dialect()).columns() : declared;
    String staged = sql.scratchTable("csv");
    Rejects rejects = new Rejects(sql);
    sql.update(
        "CREATE TEMP TABLE "
            + identifier(staged)
            + " AS SELECT row_number() OVER () AS __df_seq, * FROM "
            + scan(varchar(columns.size()), true, rejects));
    if (ranTogether(rejects)) {
      return fromCopy(declared, target, errors, bytes);
    }
    List<Field> fields = fields(columns);
    RecordSplit split =
        new RecordSplit(
            sql,
            file,
            identifier(staged),
            fields,
            line(columns.size()),
            "true",
            csv.header() ? 2 : 1);
    long parse = 0;
    if (rejects.any(sql)) {
      split.correctLines(rejects.table);
      parse = rejects.copyTo(sql, errors, literal(file));
    }
    long good = split.writeGood(target);
    long bad = parse + split.writeBad(errors);
    return new FileReadResult(good + bad, good, bad, bytes);
  }

  private static String varchar(int width) {
    return positions(width).stream()
        .map(column -> literal(column) + ": 'VARCHAR'")
        .collect(Collectors.joining(", ", "{", "}"));
  }

  private String scan(String columns, boolean allVarchar, Rejects rejects) {
    return scan(literal(source), columns, allVarchar, rejects);
  }

  private String scan(String source, String columns, boolean allVarchar, Rejects rejects) {
    return "read_csv("
        + source
        + ", auto_detect=false, "
        + (allVarchar ? "all_varchar=true, " : "")
        + "columns="
        + columns
        + ", "
        + dialect()
        + ", nullstr="
        + literal(csv.nullString())
        + ", max_line_size="
        + MAX_LINE_SIZE
        + ", "
        + rejects.options()
        + ")";
  }

  String dialect() {
    return "header="
        + csv.header()
        + ", delim="
        + literal(csv.delimiter())
        + ", quote="
        + literal(csv.quote())
        + ", escape="
        + literal(csv.escape())
        + (newLine == null ? "" : ", new_line=" + literal(newLine));
  }

  /**
   * Staged columns are named by position: declared names may clash with the scratch columns or each
   * other's case.
   */
  private static List<String> positions(int width) {
    List<String> names = new ArrayList<>(width);
    for (int i = 1; i <= width; i++) {
      names.add("__df_c" + i);
    }
    return names;
  }

  private static List<Field> fields(Map<String, String> columns) {
    List<Field> fields = new ArrayList<>();
    int position = 1;
    for (Map.Entry<String, String> column : columns.entrySet()) {
      String staged = identifier("__df_c" + position++);
      fields.add(new Field(column.getKey(), column.getValue(), staged, staged));
    }
    return fields;
  }

  /**
   * The record re-assembled as a CSV line in the file's dialect, for a record whose values do not
   * cast.
   */
  private String line(int width) {
    return positions(width).stream()
        .map(column -> quoted(identifier(column)))
        .collect(Collectors.joining(", ", "concat_ws(" + literal(csv.delimiter()) + ", ", ")"));
  }

  private String quoted(String column) {
    String empty = "CASE WHEN " + column + " IS NULL THEN " + literal(csv.nullString());
    if (csv.quote().isEmpty()) {
      return empty + " ELSE " + column + " END";
    }
    String quote = literal(csv.quote());
    String special =
        List.of(literal(csv.delimiter()), quote, "chr(10)", "chr(13)").stream()
            .map(token -> "contains(" + column + ", " + token + ")")
            .collect(Collectors.joining(" OR "));
    String escaped =
        "replace(" + column + ", " + quote + ", " + literal(csv.escape() + csv.quote()) + ")";
    return empty + " WHEN " + special + " THEN " + quote + " || " + escaped + " || " + quote
        + " ELSE " + column + " END";
  }
}
