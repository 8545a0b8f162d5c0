package dev.dataflow.ml;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ModelRuntime;
import dev.dataflow.ml.registry.ModelRegistry;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.ml.runtime.Runtimes;
import dev.dataflow.ml.runtime.XgboostModel;
import dev.dataflow.ml.scoring.BatchScorer;
import dev.dataflow.ml.scoring.PredictFunction;
import dev.dataflow.ml.serving.Endpoints;
import dev.dataflow.ml.serving.Inference;
import dev.dataflow.ml.serving.PayloadLog;
import dev.dataflow.ml.training.TrainSpec;
import dev.dataflow.ml.training.Trainer;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.TableWriter.WriteResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The analyze layer in one object: the registry, training, imports, serving and scoring, sharing
 * the loaded models. The server opens one and closes it before the SQL service.
 */
public final class Models implements AutoCloseable {
  /** How often deployments and aliases are read again. */
  static final Duration FOLLOW = Duration.ofSeconds(2);

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Models.class);

  private final SqlService sql;
  private final ModelRegistry registry;
  private final Endpoints endpoints;
  private final PayloadLog payloads;
  private final Inference inference;
  private final ScheduledExecutorService follower =
      Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("model-deployments"));

  /** Payload logging: the table, the share of requests logged (0 for none) and how often. */
  public record PayloadSettings(DatasetPath table, double sampleRate, Duration interval) {
    public static PayloadSettings defaults() {
      return new PayloadSettings(
          DatasetPath.of("monitoring", "model_payloads"), 0.0, Duration.ofSeconds(5));
    }
  }

  private Models(SqlService sql, PayloadSettings settings) {
    this.sql = sql;
    this.registry = new ModelRegistry(sql.lake());
    this.endpoints = new Endpoints(registry);
    this.payloads =
        settings.sampleRate() > 0
            ? new PayloadLog(sql, settings.table(), settings.sampleRate(), settings.interval())
            : null;
    this.inference = new Inference(endpoints, payloads);
  }

  /**
   * Opens the registry, restores the deployments (and follows their changes, made here or by
   * another process, every {@link #FOLLOW}) and registers SQL's {@code predict}.
   */
  public static Models open(SqlService sql, PayloadSettings settings) {
    requireNonNull(sql, "sql is null");
    requireNonNull(settings, "settings is null");
    Models models = new Models(sql, settings);
    models.endpoints.sync();
    models.follower.scheduleWithFixedDelay(
        models::follow, FOLLOW.toMillis(), FOLLOW.toMillis(), TimeUnit.MILLISECONDS);
    PredictFunction.register(sql.engine(), models.registry, models.endpoints);
    return models;
  }

  private void follow() {
    try {
      endpoints.sync();
    } catch (RuntimeException e) {
      // the metadata store unreachable: the routes stay as they are until the next round
      LOG.warn("Following model deployments: {}", e.getMessage());
    }
  }

  public ModelRegistry registry() {
    return registry;
  }

  public Inference inference() {
    return inference;
  }

  public Endpoints endpoints() {
    return endpoints;
  }

  /** The payload log, or null when sampling is off. */
  public PayloadLog payloads() {
    return payloads;
  }

  public ModelVersion train(TrainSpec spec, String principal) {
    return new Trainer(sql, registry).train(spec, principal);
  }

  /** Registers a model file after loading it once: a file that does not load is refused. */
  public ModelVersion importModel(ImportSpec spec, byte[] file, String principal) {
    requireNonNull(spec, "spec is null");
    requireNonNull(file, "file is null");
    ModelRef.checkName(spec.model(), "model");
    List<Feature> features =
        spec.features().isEmpty() ? namedFeatures(spec, file) : spec.features();
    try (ModelRuntime checked = Runtimes.load(spec.format(), file, features.size())) {
      ModelVersion draft =
          new ModelVersion(
              spec.model(),
              0,
              spec.format(),
              spec.task(),
              features,
              Map.of("imported", true),
              Map.of(),
              List.of(),
              null,
              "",
              spec.description(),
              principal,
              System.currentTimeMillis());
      return registry.register(draft, file);
    }
  }

  private static List<Feature> namedFeatures(ImportSpec spec, byte[] file) {
    if (spec.format() == ModelFormat.XGBOOST) {
      List<String> names = XgboostModel.featureNames(file);
      if (!names.isEmpty()) {
        return names.stream().map(name -> new Feature(name, "FP32")).toList();
      }
    }
    throw Errors.invalid(
        "Declare the model's input features in order (name or name:DATATYPE): the file does not"
            + " name them");
  }

  /** Points an alias at a version; deployments that follow the alias switch without a gap. */
  public void alias(String model, String alias, int version) {
    registry.alias(model, alias, version);
    endpoints.refresh(model);
  }

  public WriteResult score(ModelRef ref, BatchScorer.ScoreSpec spec, String principal) {
    return new BatchScorer(sql).score(endpoints.load(registry.resolve(ref)), spec, principal);
  }

  @Override
  public void close() {
    follower.shutdownNow();
    if (payloads != null) {
      payloads.close();
    }
    endpoints.close();
    registry.close();
  }
}
