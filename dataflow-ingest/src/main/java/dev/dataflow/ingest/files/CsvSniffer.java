package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Infers a CSV's columns with DuckDB's sniffer over the whole file (a sample would guess BIGINT for
 * a column whose millionth value is text). The split then casts to the sniffed types, so date
 * columns in a non-ISO format, which TRY_CAST cannot read, stay VARCHAR. The sniffer gives up on
 * some malformed files (an unclosed quote); then the columns come from the first line, all VARCHAR,
 * so the file still loads and its bad lines are still split off. The same happens when the
 * sniffer's width disagrees with the first line's.
 */
final class CsvSniffer {
  private final SqlSession sql;
  private final String file;
  private final CsvOptions csv;

  /** The scanner's dialect options, as {@link CsvReader#dialect} writes them. */
  private final String dialect;

  CsvSniffer(SqlSession sql, String file, CsvOptions csv, String dialect) {
    this.sql = sql;
    this.file = file;
    this.csv = csv;
    this.dialect = dialect;
  }

  LinkedHashMap<String, String> columns() throws SQLException {
    LinkedHashMap<String, String> firstLine = firstLine();
    try {
      LinkedHashMap<String, String> sniffed = sniffed();
      // the sniffer may take a later block of lines of another width for the table (seen with a
      // short file whose
      // last line has an extra field); the header line is the authority on how many columns there
      // are
      return sniffed.size() == firstLine.size() ? sniffed : firstLine;
    } catch (SQLException e) {
      return firstLine;
    }
  }

  private LinkedHashMap<String, String> sniffed() throws SQLException {
    List<List<String>> rows =
        sql.query(
            "SELECT c.name, c.type, DateFormat, TimestampFormat FROM (SELECT "
                + "unnest(Columns) AS c, DateFormat, TimestampFormat FROM sniff_csv("
                + literal(file)
                + ", "
                + dialect
                + ", sample_size=-1, max_line_size="
                + CsvReader.MAX_LINE_SIZE
                + "))");
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    for (List<String> row : rows) {
      columns.put(row.get(0), readable(row.get(1), row.get(2), row.get(3)));
    }
    return columns;
  }

  private static String readable(String type, String dateFormat, String timestampFormat) {
    boolean date = type.equals("DATE") && !iso(dateFormat);
    boolean timestamp = type.startsWith("TIMESTAMP") && !iso(timestampFormat);
    return date || timestamp ? "VARCHAR" : type;
  }

  /**
   * TRY_CAST reads ISO 8601 dates and timestamps, which is what the sniffer reports when it names
   * no format.
   */
  private static boolean iso(String format) {
    return format == null || format.isEmpty() || format.startsWith("%Y-%m-%d");
  }

  private LinkedHashMap<String, String> firstLine() throws SQLException {
    List<List<String>> rows =
        sql.query("SELECT __df_line FROM " + LineScan.of(file, "") + " LIMIT 1");
    String line = rows.isEmpty() || rows.get(0).get(0) == null ? "" : rows.get(0).get(0);
    String[] names = line.split(Pattern.quote(csv.delimiter()), -1);
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < names.length; i++) {
      String name = csv.header() ? unquoted(names[i].strip()) : "column" + i;
      columns.put(name.isEmpty() ? "column" + i : name, "VARCHAR");
    }
    return columns;
  }

  private String unquoted(String name) {
    String quote = csv.quote();
    boolean quoted =
        !quote.isEmpty() && name.length() >= 2 && name.startsWith(quote) && name.endsWith(quote);
    return quoted ? name.substring(1, name.length() - 1) : name;
  }
}
