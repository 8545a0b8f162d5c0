package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * CSV: DuckDB scans every field as VARCHAR with the dialect fixed (no sniffing, so one malformed
 * line cannot change how the others parse), structural rejects go to the errors table, and the
 * split casts the declared types.
 */
final class CsvReader {
  /** A 10 MB field plus its line must fit; DuckDB's default (2 MB) would reject it. */
  static final long MAX_LINE_SIZE = 64L << 20;

  private final SqlSession sql;
  private final String file;
  private final CsvOptions csv;

  CsvReader(SqlSession sql, String file, CsvOptions csv) {
    this.sql = sql;
    this.file = file;
    this.csv = csv;
  }

  FileReadResult read(Map<String, String> declared, String target, String errors, long bytes)
      throws SQLException {
    Map<String, String> columns =
        declared.isEmpty() ? new CsvSniffer(sql, file, csv).columns() : declared;
    String staged = sql.scratchTable("csv");
    Rejects rejects = new Rejects(sql);
    sql.update(
        "CREATE TEMP TABLE "
            + identifier(staged)
            + " AS SELECT row_number() OVER () AS __df_seq, * FROM "
            + scan(columns.size(), rejects));
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
      parse = rejects.copyTo(sql, errors, file);
    }
    long good = split.writeGood(target);
    long bad = parse + split.writeBad(errors);
    return new FileReadResult(good + bad, good, bad, bytes);
  }

  private String scan(int width, Rejects rejects) {
    String columns =
        positions(width).stream()
            .map(column -> literal(column) + ": 'VARCHAR'")
            .collect(Collectors.joining(", ", "{", "}"));
    return "read_csv("
        + literal(file)
        + ", auto_detect=false, all_varchar=true, columns="
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
        + literal(csv.escape());
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
