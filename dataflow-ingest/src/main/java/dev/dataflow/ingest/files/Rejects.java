package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;

/**
 * The records DuckDB's CSV scanner rejected ({@code store_rejects}): malformed lines, wrong column
 * counts, invalid UTF-8. DuckDB names the tables per scan, so each read gets its own pair and drops
 * them afterwards.
 */
final class Rejects {
  final String table;
  final String scan;

  Rejects(SqlSession sql) {
    this.table = sql.scratchTable("rejects");
    this.scan = sql.scratchTable("rejects_scan");
  }

  /** The read_csv options that fill these tables. */
  String options() {
    return "store_rejects=true, rejects_table="
        + literal(table)
        + ", rejects_scan="
        + literal(scan);
  }

  boolean any(SqlSession sql) throws SQLException {
    return sql.exists(table) && sql.queryLong("SELECT count(*) FROM " + identifier(table)) > 0;
  }

  /**
   * Whether a rejected line holds a line end other than the one the scanner read its file with. In
   * a CRLF file DuckDB takes a bare LF after a closing quote for no error at all and runs the rest
   * of the file, good records too, into one reject (at the file's end it rejects the record); in an
   * LF file it rejects a record whose closing quote a CR LF follows. Reading such a file from a
   * {@link LineEnds} copy is the only way to its records. Costs nothing unless something was
   * rejected.
   */
  boolean ranTogether(SqlSession sql) throws SQLException {
    if (!any(sql)) {
      return false;
    }
    // a line's text may start with the end of the line before; its own LF is left off in LF files
    String line = "ltrim(csv_line, chr(13) || chr(10))";
    return sql.queryLong(
            "SELECT count(*) FROM "
                + rejected()
                + " WHERE CASE newline_delimiter WHEN '\\r\\n' THEN regexp_matches("
                + line
                + ", '(^|[^\\r])\\n') WHEN '\\n' THEN regexp_matches("
                + line
                + ", '\\r(\\n|$)') END")
        > 0;
  }

  /** Drops the tables: a later scan storing its rejects under these names would append to them. */
  void drop(SqlSession sql) throws SQLException {
    sql.update("DROP TABLE IF EXISTS temp.main." + identifier(table));
    sql.update("DROP TABLE IF EXISTS temp.main." + identifier(scan));
  }

  /**
   * Appends one 'parse' error per rejected line (DuckDB may report several problems on one line;
   * the first by position is the one to fix), naming its file {@code file} (SQL over {@code
   * file_path}, the path the scan read). DuckDB's {@code csv_line} may carry the newline that ended
   * the previous line.
   */
  long copyTo(SqlSession sql, String errors, String file) throws SQLException {
    return copyTo(sql, errors, file, null);
  }

  /**
   * As {@link #copyTo(SqlSession, String, String)}, but a line whose only problems are CAST rejects
   * (a typed scan) becomes one 'cast' error with {@code castReason}, for the first such column.
   */
  long copyTo(SqlSession sql, String errors, String file, String castReason) throws SQLException {
    if (castReason == null) {
      return copyParse(sql, errors, file);
    }
    String cast = "error_type::VARCHAR = 'CAST'";
    return sql.update(
        "INSERT INTO "
            + errors
            + " SELECT file, line, raw, CASE WHEN parse THEN 'parse' ELSE 'cast' END, "
            + "CASE WHEN parse THEN parse_reason ELSE cast_reason END FROM ("
            + "SELECT "
            + file
            + " AS file, line::BIGINT AS line, bool_or(NOT ("
            + cast
            + ")) AS parse, "
            + "trim(arg_min(csv_line, byte_position), chr(13) || chr(10)) AS raw, "
            + "arg_min(lower(error_type::VARCHAR) || ': ' || error_message, byte_position) "
            + "FILTER (WHERE NOT ("
            + cast
            + ")) AS parse_reason, arg_min("
            + castReason
            + ", column_idx) FILTER (WHERE "
            + cast
            + ") AS cast_reason FROM "
            + rejected()
            + " GROUP BY file_path, line) ORDER BY file, line");
  }

  private long copyParse(SqlSession sql, String errors, String file) throws SQLException {
    return sql.update(
        "INSERT INTO "
            + errors
            + " SELECT "
            + file
            + ", line::BIGINT, "
            + "trim(arg_min(csv_line, byte_position), chr(13) || chr(10)), 'parse', "
            + "arg_min(lower(error_type::VARCHAR) || ': ' || error_message, byte_position) FROM "
            + rejected()
            + " GROUP BY file_path, line ORDER BY file_path, line");
  }

  /** Each rejected value with the path of the file it is in. */
  private String rejected() {
    return identifier(table) + " JOIN " + identifier(scan) + " USING (scan_id, file_id)";
  }
}
