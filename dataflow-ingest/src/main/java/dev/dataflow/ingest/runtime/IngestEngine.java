package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.EngineErrors;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The DuckDB a pipeline run works in: its own in-memory database, locked down like the query
 * engine, that may read only the origin's directories and the warehouse, with the stage functions
 * defined.
 */
final class IngestEngine {
  private IngestEngine() {}

  static Engine open(SqlService sql, PipelineSpec spec, List<Path> sourceDirectories) {
    Path spill = sql.dataDirectory().resolve("spill").resolve("pipeline-" + spec.name());
    EngineConfig config =
        new EngineConfig("2GB", Runtime.getRuntime().availableProcessors(), Duration.ZERO, spill);
    List<Path> allowed = new ArrayList<>(sourceDirectories);
    allowed.addAll(sql.lake().warehouse().localRoots());
    Engine engine = new Engine(config, allowed);
    try (var connection = engine.connect();
        Statement statement = connection.createStatement()) {
      StageFunctions.register(statement);
    } catch (SQLException e) {
      engine.close();
      throw EngineErrors.translate(e);
    }
    return engine;
  }
}
