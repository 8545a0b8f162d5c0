package dev.dataflow.ingest.files;

import static dev.dataflow.ingest.files.SqlSession.identifier;
import static dev.dataflow.ingest.files.SqlSession.literal;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Parquet is typed and cannot be half-malformed, so there is no staging: the split reads the file
 * directly, once for the target and once for the values that do not cast to a declared type. A
 * declared column the file lacks is NULL, as a missing JSON key is, so a pipeline can add a column
 * before old files are gone.
 */
final class ParquetReader {
  private final SqlSession sql;
  private final String file;

  ParquetReader(SqlSession sql, String file) {
    this.sql = sql;
    this.file = file;
  }

  FileReadResult read(Map<String, String> declared, String target, String errors, long bytes)
      throws SQLException {
    LinkedHashMap<String, String> present = schema();
    Map<String, String> columns = declared.isEmpty() ? present : declared;
    String staged =
        "(SELECT file_row_number + 1 AS __df_seq, * EXCLUDE (file_row_number) FROM read_parquet("
            + literal(file)
            + ", file_row_number=true))";
    RecordSplit split =
        new RecordSplit(sql, file, staged, fields(columns, present), raw(present), "true", 1);
    long good = split.writeGood(target);
    long bad = split.writeBad(errors);
    return new FileReadResult(good + bad, good, bad, bytes);
  }

  /** The file's columns; DuckDB fails here when the footer is not Parquet. */
  LinkedHashMap<String, String> schema() throws SQLException {
    LinkedHashMap<String, String> columns = new LinkedHashMap<>();
    for (List<String> row :
        sql.query("DESCRIBE SELECT * FROM read_parquet(" + literal(file) + ")")) {
      columns.put(row.get(0), row.get(1));
    }
    return columns;
  }

  private static List<Field> fields(Map<String, String> columns, Map<String, String> present) {
    Map<String, String> byLowerName = new LinkedHashMap<>();
    present.keySet().forEach(name -> byLowerName.put(name.toLowerCase(Locale.ROOT), name));
    List<Field> fields = new ArrayList<>();
    for (Map.Entry<String, String> column : columns.entrySet()) {
      String actual = byLowerName.get(column.getKey().toLowerCase(Locale.ROOT));
      String source = actual == null ? "NULL" : identifier(actual);
      fields.add(
          new Field(column.getKey(), column.getValue(), source, "CAST(" + source + " AS VARCHAR)"));
    }
    return fields;
  }

  private static String raw(Map<String, String> present) {
    return present.keySet().stream()
        .map(name -> identifier(name) + " := " + identifier(name))
        .collect(Collectors.joining(", ", "CAST(struct_pack(", ") AS VARCHAR)"));
  }
}
