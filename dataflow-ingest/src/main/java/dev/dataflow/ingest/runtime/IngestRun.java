package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ingest.kafka.KafkaPublisher;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.EngineErrors;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;

/**
 * One run of a pipeline over any origin (the reader is closed when the run or preview ends): batch
 * after batch until the reader has nothing pending or the pipeline is stopped, each batch through
 * {@link BatchProcessor} into one commit per table, after publishing its rows when the pipeline
 * says so.
 */
final class IngestRun {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestRun.class);

  private final SqlService sql;
  private final PipelineSpec spec;
  private final OriginReader reader;

  IngestRun(SqlService sql, PipelineSpec spec, OriginReader reader) {
    this.sql = requireNonNull(sql, "sql is null");
    this.spec = requireNonNull(spec, "spec is null");
    this.reader = requireNonNull(reader, "reader is null");
  }

  /** Runs the batches; {@code onBatch} sees each committed batch with the bytes it read. */
  RunRecord run(RunRecord run, BooleanSupplier stopped, BiConsumer<Batch, Long> onBatch) {
    return run(run, stopped, onBatch, new Compactor(sql, spec), Map.of());
  }

  /**
   * Runs the batches, each commit through {@code compactor}, which may compact the destinations
   * after it, and carrying {@code fence}: the lease the run holds (see {@link
   * dev.dataflow.lake.Fencing}).
   */
  RunRecord run(
      RunRecord run,
      BooleanSupplier stopped,
      BiConsumer<Batch, Long> onBatch,
      Compactor compactor,
      Map<String, String> fence) {
    RunRecord totals = run;
    OriginReader origin = reader;
    boolean first = true;
    try (origin;
        KafkaPublisher publisher =
            spec.publish() == null ? null : new KafkaPublisher(spec.publish());
        Engine engine = IngestEngine.open(sql, spec, reader.directories())) {
      while (!stopped.getAsBoolean()) {
        try (var connection = engine.connect();
            Statement statement = connection.createStatement()) {
          BatchProcessor.createErrorStaging(statement);
          long start = System.nanoTime();
          OriginReader.Pending pending = reader.next(statement, stopped);
          if (pending == null) {
            break;
          }
          long read = System.nanoTime();
          BatchProcessor processor = new BatchProcessor(sql, spec, statement, fence);
          Map<String, Long> stages = processor.transform(pending);
          if (publisher != null) {
            publisher.publish(statement, processor.goodRows());
          }
          long transformed = System.nanoTime();
          boolean firstBatch = first;
          Batch batch =
              compactor
                  .exclusive(() -> processor.commit(run.id(), pending, stages, firstBatch))
                  .withSource(reader.sourceTimes());
          // where a batch's time goes (the bulk-load benchmark turns this on)
          LOG.debug(
              "Pipeline {}: {} rows read in {} ms, stages {} ms, write and commit {} ms",
              spec.name(),
              batch.rowsIn(),
              (read - start) / 1_000_000,
              (transformed - read) / 1_000_000,
              (System.nanoTime() - transformed) / 1_000_000);
          first = false;
          onBatch.accept(batch, pending.bytes());
          totals = add(totals, batch, pending);
          compactor.afterCommit(engine);
        } catch (SQLException e) {
          throw EngineErrors.translate(e);
        }
      }
    }
    return totals;
  }

  /** The stages and would-be errors of the first {@code limit} input rows; nothing is committed. */
  Preview preview(int limit) {
    OriginReader origin = reader;
    try (origin;
        Engine engine = IngestEngine.open(sql, spec, reader.directories());
        var connection = engine.connect();
        Statement statement = connection.createStatement()) {
      BatchProcessor.createErrorStaging(statement);
      reader.preview(statement, limit);
      BatchProcessor processor = new BatchProcessor(sql, spec, statement, Map.of());
      Map<String, Preview.Rows> stages = new LinkedHashMap<>();
      for (String stage : processor.transform().keySet()) {
        stages.put(stage, rows(statement, "SELECT * FROM " + Engine.identifier(stage), limit));
      }
      return new Preview(stages, rows(statement, "SELECT * FROM " + BatchProcessor.ERRORS, limit));
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  private static RunRecord add(RunRecord run, Batch batch, OriginReader.Pending pending) {
    return new RunRecord(
        run.id(),
        run.pipeline(),
        run.startedAt(),
        run.endedAt(),
        run.status(),
        run.rowsIn() + batch.rowsIn(),
        run.rowsOut() + batch.rowsOut(),
        run.rowsError() + batch.rowsError(),
        run.bytes() + pending.bytes(),
        run.files() + pending.units(),
        batch.snapshotId() >= 0 ? batch.snapshotId() : run.snapshotId(),
        run.error());
  }

  private static Preview.Rows rows(Statement statement, String query, int limit) {
    try (ResultSet result = statement.executeQuery(query + " LIMIT " + limit)) {
      int count = result.getMetaData().getColumnCount();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        columns.add(result.getMetaData().getColumnName(i));
      }
      List<List<Object>> rows = new ArrayList<>();
      while (result.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
          row.add(plain(result.getObject(i)));
        }
        rows.add(row);
      }
      return new Preview.Rows(columns, rows);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** Numbers, booleans and text as they are; every other value as its text. */
  private static Object plain(Object value) {
    return value == null
            || value instanceof Number
            || value instanceof Boolean
            || value instanceof String
        ? value
        : value.toString();
  }
}
