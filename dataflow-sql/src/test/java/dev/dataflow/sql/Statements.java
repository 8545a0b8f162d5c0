package dev.dataflow.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/** Statements run through a {@link SqlService} as a test's principal, their rows as strings. */
public final class Statements {
  private Statements() {}

  /** Runs a query and returns its rows, each value as its string or null. */
  public static List<List<String>> rows(SqlService sql, String statement) {
    List<List<String>> rows = new ArrayList<>();
    try (Execution execution = sql.execute("test", statement)) {
      while (execution.next()) {
        var batch = execution.batch();
        for (int r = 0; r < batch.getRowCount(); r++) {
          List<String> row = new ArrayList<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            Object value = vector.getObject(r);
            row.add(value == null ? null : value.toString());
          }
          rows.add(row);
        }
      }
    }
    return rows;
  }

  /** Runs a statement and returns its update count. */
  public static long update(SqlService sql, String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      return execution.updateCount();
    }
  }
}
