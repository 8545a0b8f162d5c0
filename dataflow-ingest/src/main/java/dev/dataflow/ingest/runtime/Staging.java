package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.files.CsvOptions;
import dev.dataflow.ingest.files.FileFormat;
import dev.dataflow.ingest.files.FileReadResult;
import dev.dataflow.ingest.files.FileReader;
import dev.dataflow.sql.Engine;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The DuckDB tables a batch of files is read into, one per file, and {@code input}: a view of their
 * union by column name, so the batch's rows are not copied once more before the stages read them.
 */
public final class Staging {
  private static final String PREFIX = "__df_f";

  private Staging() {}

  /** The table the {@code index}-th file of a batch is read into. */
  public static String fileTable(int index) {
    return PREFIX + index;
  }

  /**
   * Reads a spool file of JSON lines into file table {@code target}; what cannot be read goes to
   * the batch's error table, as for any file. A spool is lines by construction (the HTTP origin
   * rewrites an array body as lines), so a first line that opens with '[' is one bad record, not an
   * array that would fail the whole file and the stream with it.
   */
  public static FileReadResult readJson(Statement statement, Path file, String target) {
    return FileReader.read(
        statement,
        file,
        FileFormat.JSON_LINES,
        CsvOptions.defaults(),
        new LinkedHashMap<>(),
        target,
        BatchProcessor.ERRORS);
  }

  /**
   * Adds an error the readers cannot record themselves to the batch's error table: a record they
   * cannot tell from no record at all, a file that vanished. {@code row} and {@code raw} may be
   * null.
   */
  public static void error(
      Statement statement, String file, Long row, String raw, String stage, String reason)
      throws SQLException {
    statement.execute(
        "INSERT INTO "
            + BatchProcessor.ERRORS
            + " VALUES ("
            + Engine.literal(file)
            + ", "
            + (row == null ? "NULL" : row.toString())
            + ", "
            + (raw == null ? "NULL" : Engine.literal(raw))
            + ", "
            + Engine.literal(stage)
            + ", "
            + Engine.literal(reason)
            + ")");
  }

  /** Drops the file tables of an earlier batch (and {@code input} with them). */
  public static void clear(Statement statement) throws SQLException {
    statement.execute("DROP VIEW IF EXISTS input");
    List<String> tables = new ArrayList<>();
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT table_name FROM duckdb_tables() WHERE starts_with(table_name, "
                + Engine.literal(PREFIX)
                + ")")) {
      while (rows.next()) {
        tables.add(rows.getString(1));
      }
    }
    for (String table : tables) {
      statement.execute("DROP TABLE " + Engine.identifier(table));
    }
  }

  /**
   * Makes {@code input} the union of the first {@code files} file tables that exist (a file that
   * vanished has none), at most {@code limit} rows when {@code limit} is positive.
   */
  public static void input(Statement statement, int files, int limit) throws SQLException {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      if (exists(statement, fileTable(i))) {
        parts.add("SELECT * FROM " + fileTable(i));
      }
    }
    String rows =
        parts.isEmpty()
            ? "SELECT NULL::VARCHAR AS __df_file, NULL::BIGINT AS __df_row WHERE false"
            : String.join(" UNION ALL BY NAME ", parts);
    statement.execute(
        "CREATE OR REPLACE VIEW input AS SELECT * FROM ("
            + rows
            + ")"
            + (limit > 0 ? " LIMIT " + limit : ""));
  }

  /**
   * Makes {@code input} a view of {@code query}, or of no rows of the declared {@code columns}
   * (name to DuckDB type) when it is null.
   */
  static void inputOf(Statement statement, String query, Map<String, String> columns)
      throws SQLException {
    String rows =
        query != null
            ? query
            : columns.entrySet().stream()
                .map(c -> "CAST(NULL AS " + c.getValue() + ") AS " + Engine.identifier(c.getKey()))
                .collect(Collectors.joining(", ", "SELECT ", " WHERE false"));
    statement.execute("CREATE OR REPLACE VIEW input AS " + rows);
  }

  private static boolean exists(Statement statement, String table) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = " + Engine.literal(table))) {
      rows.next();
      return rows.getLong(1) > 0;
    }
  }
}
