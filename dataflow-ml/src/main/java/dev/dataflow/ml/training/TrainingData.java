package dev.dataflow.ml.training;

import dev.dataflow.ml.ArrowFeatures;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.registry.DatasetSnapshot;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The rows of a training query, read batch by batch as Arrow and split at once into a training and
 * a held-out part by a seeded draw per row (the same seed and snapshots give the same split).
 */
final class TrainingData {
  final List<Feature> features;
  final List<DatasetSnapshot> lineage;
  final Part train = new Part();
  final Part test = new Part();

  private TrainingData(List<Feature> features, List<DatasetSnapshot> lineage) {
    this.features = features;
    this.lineage = lineage;
  }

  /** A growing row-major feature matrix with its labels. */
  static final class Part {
    float[] rows = new float[1024];
    float[] labels = new float[64];
    int count;

    private void add(float[] batch, float[] batchLabels, int row, int width) {
      if ((count + 1) * width > rows.length) {
        rows = Arrays.copyOf(rows, Math.max(rows.length * 2, (count + 1) * width));
      }
      if (count == labels.length) {
        labels = Arrays.copyOf(labels, labels.length * 2);
      }
      System.arraycopy(batch, row * width, rows, count * width, width);
      labels[count++] = batchLabels[row];
    }

    float[] labels() {
      return Arrays.copyOf(labels, count);
    }

    /** The rows alone, without the room kept for more. */
    float[] matrix(int width) {
      return Arrays.copyOf(rows, count * width);
    }
  }

  static TrainingData read(SqlService sql, String principal, TrainSpec spec) {
    Random draw = new Random(spec.seed());
    try (Execution execution = sql.execute(principal, spec.query())) {
      if (!execution.hasResult()) {
        throw Errors.invalid("Training needs a query that returns rows");
      }
      Schema schema = execution.schema();
      Field target = ArrowFeatures.field(schema, spec.target());
      List<Feature> features = ArrowFeatures.features(schema, featureColumns(schema, spec, target));
      List<Feature> label = ArrowFeatures.features(schema, List.of(target.getName()));
      TrainingData data = null;
      while (execution.next()) {
        if (data == null) {
          data = new TrainingData(features, lineage(execution));
        }
        VectorSchemaRoot batch = execution.batch();
        float[] rows = ArrowFeatures.rows(batch, features);
        float[] labels = ArrowFeatures.rows(batch, label);
        for (int row = 0; row < batch.getRowCount(); row++) {
          (draw.nextDouble() < spec.testFraction() ? data.test : data.train)
              .add(rows, labels, row, features.size());
        }
      }
      if (data == null || data.train.count < 2 || data.test.count < 1) {
        throw Errors.invalid(
            "Too few rows to train and hold out: the query returned "
                + (data == null ? 0 : data.train.count + data.test.count));
      }
      return data;
    }
  }

  private static List<String> featureColumns(Schema schema, TrainSpec spec, Field target) {
    if (!spec.features().isEmpty()) {
      if (spec.features().stream().anyMatch(f -> f.equalsIgnoreCase(target.getName()))) {
        throw Errors.invalid("The target " + target.getName() + " cannot also be a feature");
      }
      return spec.features();
    }
    List<String> others = new ArrayList<>();
    for (Field field : schema.getFields()) {
      if (!field.getName().equals(target.getName())) {
        others.add(field.getName());
      }
    }
    if (others.isEmpty()) {
      throw Errors.invalid("The query has no column besides the target to learn from");
    }
    return others;
  }

  private static List<DatasetSnapshot> lineage(Execution execution) {
    return execution.reads().stream()
        .map(read -> new DatasetSnapshot(read.path().toString(), read.snapshotId()))
        .distinct()
        .toList();
  }
}
