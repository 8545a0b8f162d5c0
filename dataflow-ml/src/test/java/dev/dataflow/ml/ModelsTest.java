package dev.dataflow.ml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.ml.registry.ModelRegistry.Deployment;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.scoring.BatchScorer.ScoreSpec;
import dev.dataflow.ml.training.TrainSpec;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelsTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Lake lake;
  private SqlService sql;
  private Models models;

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
    models =
        Models.open(
            sql,
            new Models.PayloadSettings(
                DatasetPath.of("monitoring", "payloads"), 1.0, Duration.ofHours(1)));
    // a churn-like table: churned when usage is low and tickets are many, with a little noise
    update(
        """
        CREATE TABLE shop.customers AS
        SELECT i AS id, (hash(i) % 100)::DOUBLE AS usage, (hash(i * 7) % 10)::INTEGER AS tickets,
               hash(i * 13) % 2 = 0 AS premium,
               CASE WHEN (hash(i) % 100) < 40 AND (hash(i * 7) % 10) > 3
                      OR hash(i * 31) % 50 = 0 THEN 1 ELSE 0 END AS churned,
               (hash(i) % 100) * 2.5 + (hash(i * 7) % 10) AS spend
        FROM range(3000) t(i)""");
  }

  @AfterEach
  void stop() {
    models.close();
    sql.close();
    lake.close();
  }

  private void update(String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      // the statement ran when execute returned
    }
  }

  private TrainSpec classifier(String model) {
    return new TrainSpec(
        model,
        "shop.customers",
        null,
        "churned",
        List.of("usage", "tickets", "premium"),
        Task.CLASSIFICATION,
        Map.of("num_round", 20),
        0.25,
        7,
        "first try");
  }

  @Test
  void trainsAClassifierWithMetricsSnapshotsAndFeatures() {
    ModelVersion version = models.train(classifier("churn"), "alice");

    assertThat(version.version()).isEqualTo(1);
    assertThat(version.metrics().get("auc")).isGreaterThan(0.9);
    assertThat(version.metrics()).containsKeys("log_loss", "accuracy");
    assertThat(version.features())
        .containsExactly(
            new Feature("usage", "FP64"),
            new Feature("tickets", "INT32"),
            new Feature("premium", "BOOL"));
    long snapshot = lake.table(DatasetPath.of("shop", "customers")).currentSnapshot().snapshotId();
    assertThat(version.lineage())
        .extracting("dataset", "snapshotId")
        .containsExactly(org.assertj.core.groups.Tuple.tuple("shop.customers", snapshot));
    assertThat(version.parameters()).containsEntry("num_round", 20).containsEntry("seed", 7L);
    assertThat(models.train(classifier("churn"), "alice").version()).isEqualTo(2);
    assertThat(models.registry().versions("churn")).hasSize(2);
  }

  @Test
  void sameSeedAndSnapshotGiveTheSameModel() {
    ModelVersion first = models.train(classifier("churn"), "alice");
    ModelVersion second = models.train(classifier("churn"), "alice");
    assertThat(second.metrics()).isEqualTo(first.metrics());
  }

  @Test
  void trainsARegressorFromSql() {
    TrainSpec spec =
        new TrainSpec(
            "spend",
            null,
            "SELECT usage, tickets, spend FROM shop.customers WHERE id < 2000",
            "spend",
            List.of(),
            Task.REGRESSION,
            Map.of(),
            0.2,
            1,
            null);
    ModelVersion version = models.train(spec, "bob");
    assertThat(version.metrics().get("r2")).isGreaterThan(0.95);
    assertThat(version.metrics()).containsKeys("rmse", "mae");
    assertThat(version.featureNames()).containsExactly("usage", "tickets");
  }

  @Test
  void badTrainingInputIsRefusedByName() {
    assertThatThrownBy(
            () ->
                models.train(
                    new TrainSpec(
                        "x",
                        "shop.customers",
                        null,
                        "spend",
                        List.of(),
                        Task.CLASSIFICATION,
                        Map.of(),
                        0.2,
                        1,
                        null),
                    "a"))
        .hasMessageContaining("0/1");
    assertThatThrownBy(
            () ->
                models.train(
                    new TrainSpec(
                        "x",
                        "shop.customers",
                        null,
                        "nope",
                        List.of(),
                        Task.REGRESSION,
                        Map.of(),
                        0.2,
                        1,
                        null),
                    "a"))
        .hasMessageContaining("no column nope");
  }

  @Test
  void servesV2AndInstancesWithAliasesAndCanary() throws Exception {
    models.train(classifier("churn"), "alice");
    models.alias("churn", "champion", 1);
    models.endpoints().deploy(new Deployment("churn", "champion", null, 0));

    JsonNode v2 =
        models
            .inference()
            .infer(
                "churn",
                0,
                JSON.readTree(
                    """
            {"id": "r1", "inputs": [
              {"name": "usage", "datatype": "FP64", "shape": [2], "data": [10, 90]},
              {"name": "tickets", "datatype": "INT32", "shape": [2], "data": [8, 1]},
              {"name": "premium", "datatype": "BOOL", "shape": [2], "data": [false, true]}]}"""));
    JsonNode data = v2.path("outputs").get(0).path("data");
    assertThat(v2.path("id").asText()).isEqualTo("r1");
    assertThat(data.get(0).asDouble()).isGreaterThan(0.5);
    assertThat(data.get(1).asDouble()).isLessThan(0.5);

    JsonNode simple =
        models
            .inference()
            .predict(
                "churn",
                0,
                JSON.readTree(
                    "{\"instances\": [{\"usage\": 10, \"tickets\": 8, \"premium\": false}, [90, 1, true]]}"));
    assertThat(simple.path("predictions").get(0).floatValue()).isEqualTo(data.get(0).floatValue());
    assertThat(simple.path("predictions").get(1).floatValue()).isEqualTo(data.get(1).floatValue());

    models.train(classifier("churn"), "alice");
    models.endpoints().deploy(new Deployment("churn", "champion", "2", 50));
    java.util.Set<String> versions = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      versions.add(
          models
              .inference()
              .predict("churn", 0, JSON.readTree("{\"instances\": [[1, 2, true]]}"))
              .path("model_version")
              .asText());
    }
    assertThat(versions).containsExactlyInAnyOrder("1", "2");

    models.endpoints().deploy(new Deployment("churn", "champion", null, 0));
    models.alias("churn", "champion", 2);
    assertThat(models.inference().metadata("churn", 0).path("versions").get(0).asText())
        .isEqualTo("2");
  }

  @Test
  void deploymentsAndAliasesSurviveARestart() throws Exception {
    models.train(classifier("churn"), "alice");
    models.train(classifier("churn"), "alice");
    models.alias("churn", "champion", 2);
    models.endpoints().deploy(new Deployment("churn", "champion", "1", 30));
    models.close();
    models = Models.open(sql, Models.PayloadSettings.defaults());

    assertThat(models.registry().aliases("churn")).containsEntry("champion", 2);
    assertThat(models.endpoints().route("churn").canary().version().version()).isEqualTo(1);
    assertThat(
            models
                .inference()
                .predict("churn", 2, JSON.readTree("{\"instances\": [[1, 2, true]]}"))
                .path("model_version")
                .asText())
        .isEqualTo("2");
  }

  @Test
  void badRequestsNameTheProblem() throws Exception {
    models.train(classifier("churn"), "alice");
    models.endpoints().deploy(new Deployment("churn", "", null, 0));
    assertRefused(
        "{\"instances\": [{\"usage\": 1, \"tickets\": 2}]}", "missing features [premium]");
    assertRefused(
        "{\"instances\": [{\"usage\": 1, \"tickets\": 2, \"premium\": true, \"age\": 3}]}",
        "unknown features [age]");
    assertRefused(
        "{\"instances\": [{\"usage\": \"high\", \"tickets\": 2, \"premium\": true}]}",
        "usage must be a number");
    assertRefused(
        "{\"instances\": [{\"usage\": 1, \"tickets\": 2.5, \"premium\": true}]}",
        "tickets must be a whole number");
    assertRefused("{\"instances\": [[1, 2]]}", "has 2 values; the model takes 3");
    assertRefusedV2(
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 2], \"data\": [1, 2]}]}",
        "one input must have shape [n, 3]");
    assertRefusedV2(
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3], \"data\": [1, 2]}]}",
        "3 values) but 2 values");
    assertThatThrownBy(() -> models.inference().predict("nope", 0, JSON.readTree("{}")))
        .isInstanceOfSatisfying(
            DataflowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    assertThatThrownBy(() -> models.inference().predict("churn", 9, JSON.readTree("{}")))
        .hasMessageContaining("no version 9");
  }

  private void assertRefused(String body, String message) {
    assertThatThrownBy(() -> models.inference().predict("churn", 0, JSON.readTree(body)))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  private void assertRefusedV2(String body, String message) {
    assertThatThrownBy(() -> models.inference().infer("churn", 0, JSON.readTree(body)))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining(message);
  }

  @Test
  void importsOnnxAndRefusesCorruptFiles() throws Exception {
    byte[] onnx = OnnxWriter.linear(new float[] {2, -1}, 0.5f);
    ImportSpec spec =
        new ImportSpec(
            "linear",
            ModelFormat.ONNX,
            Task.REGRESSION,
            List.of(Feature.parse("a"), Feature.parse("b")),
            null);
    ModelVersion version = models.importModel(spec, onnx, "carol");
    models.endpoints().deploy(new Deployment("linear", "1", null, 0));
    JsonNode answer =
        models
            .inference()
            .predict("linear", 0, JSON.readTree("{\"instances\": [{\"a\": 3, \"b\": 1}]}"));
    assertThat(answer.path("predictions").get(0).floatValue()).isEqualTo(5.5f);
    assertThat(version.format()).isEqualTo(ModelFormat.ONNX);

    assertThatThrownBy(() -> models.importModel(spec, new byte[] {1, 2, 3, 4}, "carol"))
        .hasMessageContaining("Not a readable ONNX model");
    ImportSpec three =
        new ImportSpec(
            "linear",
            ModelFormat.ONNX,
            Task.REGRESSION,
            List.of(Feature.parse("a"), Feature.parse("b"), Feature.parse("c")),
            null);
    assertThatThrownBy(() -> models.importModel(three, onnx, "carol"))
        .hasMessageContaining("takes 2 features per row but 3 were declared");
    assertThatThrownBy(
            () ->
                models.importModel(
                    new ImportSpec("x", ModelFormat.XGBOOST, Task.REGRESSION, List.of(), null),
                    new byte[] {9, 9},
                    "carol"))
        .hasMessageContaining("Not a readable XGBoost model");
  }

  @Test
  void importsANativeXgboostFile() throws Exception {
    ModelVersion trained = models.train(classifier("churn"), "alice");
    byte[] file = java.nio.file.Files.readAllBytes(Path.of(trained.file()));
    ModelVersion imported =
        models.importModel(
            new ImportSpec("copy", ModelFormat.XGBOOST, Task.CLASSIFICATION, List.of(), null),
            file,
            "d");
    assertThat(imported.featureNames()).containsExactly("usage", "tickets", "premium");
  }

  @Test
  void scoresIntoALakeTableAndInsideSql() {
    models.train(classifier("churn"), "alice");
    models.score(
        ModelRef.parse("churn:1"),
        new ScoreSpec(
            "SELECT * FROM shop.customers", DatasetPath.of("shop", "scored"), null, false),
        "alice");
    try (Execution rows =
        sql.execute(
            "alice",
            """
            SELECT count(*), avg(CASE WHEN (prediction > 0.5) = (churned = 1) THEN 1 ELSE 0 END),
                   max(abs(prediction - predict('churn:1', usage, tickets, premium::DOUBLE)))
            FROM shop.scored""")) {
      rows.next();
      var batch = rows.batch();
      assertThat(((Number) batch.getVector(0).getObject(0)).longValue()).isEqualTo(3000);
      assertThat(((Number) batch.getVector(1).getObject(0)).doubleValue()).isGreaterThan(0.9);
      assertThat(((Number) batch.getVector(2).getObject(0)).doubleValue()).isLessThan(1e-6);
    }
    assertThatThrownBy(
            () ->
                models.score(
                    ModelRef.parse("churn"),
                    new ScoreSpec(
                        "SELECT * FROM shop.customers",
                        DatasetPath.of("shop", "scored"),
                        null,
                        false),
                    "alice"))
        .hasMessageContaining("already exists");
  }

  @Test
  void logsSampledPayloadsToALakeTable() throws Exception {
    models.train(classifier("churn"), "alice");
    models.endpoints().deploy(new Deployment("churn", "1", null, 0));
    for (int i = 0; i < 3; i++) {
      models.inference().predict("churn", 0, JSON.readTree("{\"instances\": [[1, 2, true]]}"));
    }
    assertThat(models.payloads().flush()).isEqualTo(3);
    try (Execution rows =
        sql.execute(
            "alice", "SELECT count(*), min(model), min(response) FROM monitoring.payloads")) {
      rows.next();
      assertThat(((Number) rows.batch().getVector(0).getObject(0)).longValue()).isEqualTo(3);
      assertThat(rows.batch().getVector(1).getObject(0).toString()).isEqualTo("churn");
      assertThat(rows.batch().getVector(2).getObject(0).toString()).contains("predictions");
    }
  }
}
