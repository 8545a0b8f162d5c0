package dev.dataflow.ml.scoring;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ml.ArrowFeatures;
import dev.dataflow.ml.ArrowWrites;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.serving.Endpoints.Served;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.TableWriter.WriteResult;

/**
 * Scores every row of a dataset or query with a model version and writes the rows, with the
 * prediction as one more column, into a lake table in one commit.
 */
public final class BatchScorer {
  private final SqlService sql;

  public BatchScorer(SqlService sql) {
    this.sql = requireNonNull(sql, "sql is null");
  }

  /** Where to score from and to. */
  public record ScoreSpec(String query, DatasetPath output, String column, boolean replace) {
    public ScoreSpec {
      requireNonNull(query, "query is null");
      requireNonNull(output, "output is null");
      column = column == null || column.isBlank() ? "prediction" : column;
    }
  }

  public WriteResult score(Served model, ScoreSpec spec, String principal) {
    requireNonNull(model, "model is null");
    requireNonNull(spec, "spec is null");
    ModelVersion version = model.version();
    try (Execution input = sql.execute(principal, spec.query())) {
      if (!input.hasResult()) {
        throw Errors.invalid("Scoring needs a query that returns rows");
      }
      if (input.schema().getFields().stream()
          .anyMatch(f -> f.getName().equalsIgnoreCase(spec.column()))) {
        throw Errors.invalid(
            "The rows already have a column " + spec.column() + ": name the prediction column");
      }
      // every feature must be a column of the rows, of a usable type, before anything is written
      ArrowFeatures.features(input.schema(), version.featureNames());
      return ArrowWrites.write(
          sql,
          spec.output(),
          spec.replace() ? ArrowWrites.Mode.REPLACE : ArrowWrites.Mode.CREATE,
          allocator ->
              new ScoredBatches(
                  allocator, input, model.runtime(), version.features(), spec.column()));
    }
  }
}
