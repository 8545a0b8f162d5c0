package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Splits a staged file into the target table (records whose every value casts) and the errors table
 * (the rest), in two set-based statements. The staged relation has {@code __df_seq}, the 1-based
 * position of each record the scanner delivered; records the scanner rejected are missing from it,
 * so their line numbers are added back to turn a position into the record's line (see {@link
 * #correctLines}).
 */
final class RecordSplit {
  private final SqlSession sql;
  private final String file;
  private final String staged;
  private final List<Field> fields;
  private final String raw;
  private final String where;
  private final long firstLine;
  private String correction;

  /**
   * @param staged table or subquery with {@code __df_seq} and the columns the field expressions use
   * @param raw the record as text, for the errors table
   * @param where which staged rows are records to split (the rest are handled by the caller)
   * @param firstLine line (or record number) of the first record, e.g. 2 after a CSV header
   */
  RecordSplit(
      SqlSession sql,
      String file,
      String staged,
      List<Field> fields,
      String raw,
      String where,
      long firstLine) {
    this.sql = sql;
    this.file = file;
    this.staged = staged;
    this.fields = List.copyOf(fields);
    this.raw = raw;
    this.where = where;
    this.firstLine = firstLine;
  }

  /**
   * With rejected lines r_1 < r_2 < ..., delivered record k sits at line firstLine - 1 + k + j, j
   * being how many rejected lines come before it; r_j precedes record k exactly when g_j = r_j -
   * (firstLine - 1) - j < k. The table keeps the largest j per g so an ASOF join finds it.
   */
  void correctLines(String rejects) throws SQLException {
    correction = sql.scratchTable("lines");
    sql.update(
        "CREATE TEMP TABLE "
            + identifier(correction)
            + " AS SELECT __df_g, max(__df_j) AS __df_j FROM ("
            + "SELECT line::BIGINT - "
            + (firstLine - 1)
            + " - row_number() OVER (ORDER BY line) AS __df_g, "
            + "row_number() OVER (ORDER BY line) AS __df_j FROM (SELECT DISTINCT line FROM "
            + identifier(rejects)
            + ")) GROUP BY __df_g");
  }

  String from() {
    return correction == null
        ? staged + " AS s"
        : staged
            + " AS s ASOF LEFT JOIN "
            + identifier(correction)
            + " AS c ON s.__df_seq > c.__df_g";
  }

  String row() {
    String line = "s.__df_seq + " + (firstLine - 1);
    return correction == null ? line : line + " + coalesce(c.__df_j, 0)";
  }

  /**
   * Creates (or replaces) the target with the records whose every value casts; returns how many.
   */
  long writeGood(String target) throws SQLException {
    String columns =
        fields.stream()
            .map(field -> field.cast() + " AS " + identifier(field.name()))
            .collect(Collectors.joining(", "));
    String order = correction == null ? "" : " ORDER BY s.__df_seq";
    return sql.update(
        "CREATE OR REPLACE TABLE "
            + target
            + " AS SELECT "
            + (columns.isEmpty() ? "" : columns + ", ")
            + literal(file)
            + " AS __df_file, "
            + row()
            + " AS __df_row FROM "
            + from()
            + " WHERE "
            + where
            + " AND NOT "
            + failing()
            + order);
  }

  /**
   * Appends the records with a value that does not cast, naming the first such column; returns how
   * many.
   */
  long writeBad(String errors) throws SQLException {
    if (fields.stream().noneMatch(Field::checked)) {
      return 0;
    }
    String reason =
        fields.stream()
            .filter(Field::checked)
            .map(field -> " WHEN " + field.fails() + " THEN " + field.reason())
            .collect(Collectors.joining("", "CASE", " END"));
    return sql.update(
        "INSERT INTO "
            + errors
            + " SELECT "
            + literal(file)
            + ", "
            + row()
            + ", "
            + raw
            + ", 'cast', "
            + reason
            + " FROM "
            + from()
            + " WHERE "
            + where
            + " AND "
            + failing());
  }

  private String failing() {
    return fields.stream()
        .filter(Field::checked)
        .map(Field::fails)
        .collect(Collectors.joining(" OR ", "(", ")"))
        .replace("()", "(false)");
  }
}
