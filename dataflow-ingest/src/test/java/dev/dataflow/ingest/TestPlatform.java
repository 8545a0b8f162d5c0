package dev.dataflow.ingest;

import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.util.List;

/** A lake, its SQL service and its pipelines over one data directory, as a server holds them. */
public final class TestPlatform implements AutoCloseable {
  public final Lake lake;
  public final SqlService sql;
  public final Pipelines pipelines;

  public TestPlatform(Path data) {
    this(data, LakeConfig.embedded(data));
  }

  /**
   * The platform on another metadata store, its SQL engine's spill directory under {@code data}.
   */
  public TestPlatform(Path data, LakeConfig config) {
    lake = Lake.open(config);
    sql = new SqlService(lake, EngineConfig.defaults(data));
    pipelines = new Pipelines(sql);
  }

  /** The rows of a query, each as its values joined by '|' ({@link LakeRows}). */
  public List<String> rows(String query) {
    return LakeRows.of(sql, query);
  }

  @Override
  public void close() {
    pipelines.close();
    sql.close();
    lake.close();
  }
}
