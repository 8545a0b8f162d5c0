package dev.dataflow.ingest;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.FieldVector;

/** A lake, its SQL service and its pipelines over one data directory, as a server holds them. */
public final class TestPlatform implements AutoCloseable {
  public final Lake lake;
  public final SqlService sql;
  public final Pipelines pipelines;

  public TestPlatform(Path data) {
    lake = Lake.open(LakeConfig.embedded(data));
    sql = new SqlService(lake, EngineConfig.defaults(data));
    pipelines = new Pipelines(sql);
  }

  /** The rows of a query, each as its values joined by '|' (a blob shows as "[B@"). */
  public List<String> rows(String query) {
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

  @Override
  public void close() {
    pipelines.close();
    sql.close();
    lake.close();
  }
}
