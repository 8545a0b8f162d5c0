package dev.dataflow.ingest;

import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/**
 * A query's rows through the SQL layer, each as its values joined by '|' (a blob shows as "[B@").
 */
public final class LakeRows {
  private LakeRows() {}

  public static List<String> of(SqlService sql, String query) {
    List<String> rows = new ArrayList<>();
    try (Execution execution = sql.execute("test", query)) {
      while (execution.next()) {
        var batch = execution.batch();
        for (int r = 0; r < batch.getRowCount(); r++) {
          List<String> values = new ArrayList<>();
          for (FieldVector vector : batch.getFieldVectors()) {
            Object value = vector.getObject(r);
            values.add(value instanceof byte[] ? "[B@" : String.valueOf(value));
          }
          rows.add(String.join("|", values));
        }
      }
    }
    return rows;
  }
}
