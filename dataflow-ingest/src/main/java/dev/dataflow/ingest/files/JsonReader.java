package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON lines or one JSON array. Each record is staged as text ({@code __df_line}); a line that is
 * not a JSON object is a 'parse' error, the declared keys of the others are extracted and cast (a
 * missing key is NULL).
 */
final class JsonReader {
  private static final String MAX_OBJECT_SIZE = String.valueOf(LineScan.MAX_LINE_SIZE);
  private static final String OBJECT =
      "CASE WHEN json_valid(__df_line) THEN json_type(__df_line) = 'OBJECT' ELSE false END";
  private static final String BLANK = "trim(coalesce(__df_line, '')) = ''";

  private final SqlSession sql;
  private final String file;
  private final boolean array;

  JsonReader(SqlSession sql, String file, boolean array) {
    this.sql = sql;
    this.file = file;
    this.array = array;
  }

  FileReadResult read(Map<String, String> declared, String target, String errors, long bytes)
      throws SQLException {
    String staged = sql.scratchTable("json");
    Rejects rejects = array ? null : new Rejects(sql);
    sql.update(
        "CREATE TEMP TABLE "
            + identifier(staged)
            + " AS SELECT row_number() OVER () AS __df_seq, "
            + "__df_line FROM "
            + (array ? arrayScan() : LineScan.of(file, ", " + rejects.options())));
    Map<String, String> columns = declared.isEmpty() ? inferred(identifier(staged)) : declared;
    RecordSplit split =
        new RecordSplit(
            sql,
            file,
            identifier(staged),
            fields(columns),
            "s.__df_line",
            "NOT " + BLANK + " AND " + OBJECT,
            1);
    long bad = 0;
    if (rejects != null && rejects.any(sql)) {
      split.correctLines(rejects.table);
      bad += rejects.copyTo(sql, errors, literal(file));
    }
    bad +=
        sql.update(
            "INSERT INTO "
                + errors
                + " SELECT "
                + literal(file)
                + ", "
                + split.row()
                + ", __df_line, "
                + "'parse', CASE WHEN json_valid(__df_line) THEN 'valid JSON but not an object' ELSE 'invalid JSON' END "
                + "FROM "
                + split.from()
                + " WHERE NOT "
                + BLANK
                + " AND NOT "
                + OBJECT);
    long good = split.writeGood(target);
    bad += split.writeBad(errors);
    return new FileReadResult(good + bad, good, bad, bytes);
  }

  /**
   * DuckDB splits the array into elements; a malformed array fails as a whole, as no element
   * boundary is known.
   */
  private String arrayScan() {
    return "(SELECT json::VARCHAR AS __df_line FROM read_json_objects("
        + literal(file)
        + ", format='array', maximum_object_size="
        + MAX_OBJECT_SIZE
        + "))";
  }

  /**
   * DuckDB's JSON reader over the whole file, skipping lines it cannot parse: those are split off
   * anyway. A value that is valid JSON but not an object makes DuckDB infer the single column
   * 'json', which would land every object as a row of NULLs; so a file holding one has its columns
   * inferred from a copy of its objects alone.
   */
  private LinkedHashMap<String, String> inferred(String staged) throws SQLException {
    long others =
        sql.queryLong(
            "SELECT count(*) FROM "
                + staged
                + " WHERE NOT "
                + BLANK
                + " AND json_valid(__df_line) AND NOT "
                + OBJECT);
    if (others == 0) {
      return described(file, array ? "'array'" : "'newline_delimited', ignore_errors=true");
    }
    String objects = sql.scratchFile("objects").toString();
    // one column and no quote: each object's text is written as it is, one after another
    sql.update(
        "COPY (SELECT __df_line FROM "
            + staged
            + " WHERE "
            + OBJECT
            + " ORDER BY __df_seq) TO "
            + literal(objects)
            + " (FORMAT csv, HEADER false, QUOTE '', ESCAPE '')");
    return described(objects, "'unstructured'");
  }

  private LinkedHashMap<String, String> described(String path, String format) throws SQLException {
    List<List<String>> rows =
        sql.query(
            "DESCRIBE SELECT * FROM read_json("
                + literal(path)
                + ", format="
                + format
                + ", sample_size=-1, maximum_object_size="
                + MAX_OBJECT_SIZE
                + ")");
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    for (List<String> row : rows) {
      columns.put(row.get(0), row.get(1));
    }
    return columns;
  }

  private static List<Field> fields(Map<String, String> columns) {
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, String> column : columns.entrySet()) {
      String path =
          literal("$.\"" + column.getKey().replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
      String text = "json_extract_string(__df_line, " + path + ")";
      // a JSON value casts by JSON rules (an object to a STRUCT, a list to a LIST); text keeps a
      // string unquoted
      String source =
          column.getValue().equalsIgnoreCase("VARCHAR")
              ? text
              : "json_extract(__df_line, " + path + ")";
      fields.add(new Field(column.getKey(), column.getValue(), source, text));
    }
    return fields;
  }
}
