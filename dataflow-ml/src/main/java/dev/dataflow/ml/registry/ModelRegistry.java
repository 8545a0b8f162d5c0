package dev.dataflow.ml.registry;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.MetadataDb;
import dev.dataflow.ml.Errors;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ModelFormat;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.Task;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.io.FileIO;

/**
 * Models, their versions, aliases and deployments, in the metadata database ({@code df_models},
 * {@code df_model_versions}, {@code df_model_aliases}, {@code df_model_deployments}); model files
 * live under the warehouse in {@code _models/NAME/VERSION/}.
 */
public final class ModelRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String VERSION_COLUMNS =
      "model, version, format, task, features, parameters, metrics, lineage, source, file,"
          + " description, principal, created_at";

  private final MetadataDb db;
  private final FileIO io;
  private final String root;

  public ModelRegistry(Lake lake) {
    requireNonNull(lake, "lake is null");
    this.db = new MetadataDb(lake);
    this.io = lake.io();
    this.root = lake.config().warehouse() + "/_models";
  }

  /** A model's summary: its description, versions and aliases. */
  public record ModelSummary(
      String name,
      String description,
      long createdAt,
      int latestVersion,
      Map<String, Integer> aliases) {}

  /**
   * Registers a new version of {@code draft.model()} (creating the model on its first version),
   * writing its file first so that a registered version always has one.
   */
  public synchronized ModelVersion register(ModelVersion draft, byte[] file) {
    requireNonNull(draft, "draft is null");
    requireNonNull(file, "file is null");
    ModelRef.checkName(draft.model(), "model");
    int number = latestVersion(draft.model()) + 1;
    // model files live in the warehouse, so every serving process reads the same ones
    String target = root + "/" + draft.model() + "/" + number + "/" + draft.format().fileName();
    try (OutputStream out = io.newOutputFile(target).createOrOverwrite()) {
      out.write(file);
    } catch (IOException | RuntimeException e) {
      throw new DataflowException(
          ErrorCode.UNAVAILABLE, "Cannot write model file " + target + ": " + e.getMessage(), e);
    }
    ModelVersion version = draft.numbered(number, target);
    if (number == 1) {
      db.update(
          "INSERT INTO df_models (name, description, created_at) VALUES (?, ?, ?)",
          draft.model(),
          null,
          draft.createdAt());
    }
    insert(version);
    return version;
  }

  private void insert(ModelVersion v) {
    db.update(
        "INSERT INTO df_model_versions ("
            + VERSION_COLUMNS
            + ") VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
        v.model(),
        v.version(),
        v.format().name(),
        v.task().name(),
        json(v.features()),
        json(v.parameters()),
        json(v.metrics()),
        json(v.lineage()),
        v.source(),
        v.file(),
        v.description(),
        v.principal(),
        v.createdAt());
  }

  /** A registered version's model file. */
  public byte[] file(ModelVersion version) {
    try (InputStream in = io.newInputFile(version.file()).newStream()) {
      return in.readAllBytes();
    } catch (IOException | RuntimeException e) {
      throw new DataflowException(
          ErrorCode.UNAVAILABLE,
          "Cannot read model file " + version.file() + ": " + e.getMessage(),
          e);
    }
  }

  public List<ModelSummary> models() {
    return db.query("SELECT name FROM df_models ORDER BY name", row -> row.getString(1)).stream()
        .map(this::model)
        .toList();
  }

  public ModelSummary model(String name) {
    List<ModelSummary> found =
        db.query(
            "SELECT name, description, created_at FROM df_models WHERE name = ?",
            row ->
                new ModelSummary(
                    row.getString(1),
                    row.getString(2),
                    row.getLong(3),
                    latestVersion(name),
                    aliases(name)),
            name);
    if (found.isEmpty()) {
      throw Errors.notFound("There is no model named " + name);
    }
    return found.get(0);
  }

  public void describe(String name, String description) {
    model(name);
    db.update("UPDATE df_models SET description = ? WHERE name = ?", description, name);
  }

  public List<ModelVersion> versions(String model) {
    model(model);
    return db.query(
        "SELECT " + VERSION_COLUMNS + " FROM df_model_versions WHERE model = ? ORDER BY version",
        ModelRegistry::version,
        model);
  }

  /** The version a reference names; NOT_FOUND naming what is missing. */
  public ModelVersion resolve(ModelRef ref) {
    requireNonNull(ref, "ref is null");
    model(ref.model());
    int number = ref.version();
    if (ref.alias() != null) {
      Integer aliased = aliases(ref.model()).get(ref.alias());
      if (aliased == null) {
        throw Errors.notFound("Model " + ref.model() + " has no alias " + ref.alias());
      }
      number = aliased;
    } else if (number == ModelRef.LATEST) {
      number = latestVersion(ref.model());
    }
    List<ModelVersion> found =
        db.query(
            "SELECT " + VERSION_COLUMNS + " FROM df_model_versions WHERE model = ? AND version = ?",
            ModelRegistry::version,
            ref.model(),
            number);
    if (found.isEmpty()) {
      throw Errors.notFound("Model " + ref.model() + " has no version " + number);
    }
    return found.get(0);
  }

  public Map<String, Integer> aliases(String model) {
    Map<String, Integer> aliases = new TreeMap<>();
    db.query(
        "SELECT alias, version FROM df_model_aliases WHERE model = ?",
        row -> aliases.put(row.getString(1), row.getInt(2)),
        model);
    return aliases;
  }

  /**
   * Points {@code alias} at {@code version} (which must exist), moving it if it pointed elsewhere.
   */
  public synchronized void alias(String model, String alias, int version) {
    ModelRef.checkName(alias, "alias");
    resolve(new ModelRef(model, version, null));
    db.update("DELETE FROM df_model_aliases WHERE model = ? AND alias = ?", model, alias);
    db.update(
        "INSERT INTO df_model_aliases (model, alias, version) VALUES (?, ?, ?)",
        model,
        alias,
        version);
  }

  public boolean removeAlias(String model, String alias) {
    return db.update("DELETE FROM df_model_aliases WHERE model = ? AND alias = ?", model, alias)
        > 0;
  }

  private int latestVersion(String model) {
    return db.query(
            "SELECT coalesce(max(version), 0) FROM df_model_versions WHERE model = ?",
            row -> row.getInt(1),
            model)
        .get(0);
  }

  /** A model's deployment: which version or alias answers, and an optional canary share. */
  public record Deployment(String model, String target, String canary, int canaryPercent) {
    public ModelRef primary() {
      return ModelRef.of(model, target);
    }

    public ModelRef canaryRef() {
      return canary == null ? null : ModelRef.of(model, canary);
    }
  }

  public void deploy(Deployment deployment) {
    db.update("DELETE FROM df_model_deployments WHERE name = ?", deployment.model());
    db.update(
        "INSERT INTO df_model_deployments (name, target, canary, canary_percent, updated_at)"
            + " VALUES (?, ?, ?, ?, ?)",
        deployment.model(),
        deployment.target(),
        deployment.canary(),
        deployment.canaryPercent(),
        System.currentTimeMillis());
  }

  public boolean undeploy(String model) {
    return db.update("DELETE FROM df_model_deployments WHERE name = ?", model) > 0;
  }

  public List<Deployment> deployments() {
    return db.query(
        "SELECT name, target, canary, canary_percent FROM df_model_deployments ORDER BY name",
        row -> new Deployment(row.getString(1), row.getString(2), row.getString(3), row.getInt(4)));
  }

  private static ModelVersion version(ResultSet row) throws SQLException {
    return new ModelVersion(
        row.getString("model"),
        row.getInt("version"),
        ModelFormat.valueOf(row.getString("format")),
        Task.valueOf(row.getString("task")),
        read(row.getString("features"), new TypeReference<List<Feature>>() {}),
        read(row.getString("parameters"), new TypeReference<Map<String, Object>>() {}),
        read(row.getString("metrics"), new TypeReference<Map<String, Double>>() {}),
        read(row.getString("lineage"), new TypeReference<List<DatasetSnapshot>>() {}),
        row.getString("source"),
        row.getString("file"),
        row.getString("description"),
        row.getString("principal"),
        row.getLong("created_at"));
  }

  private static String json(Object value) {
    try {
      return JSON.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw Errors.internal("Cannot write model metadata", e);
    }
  }

  private static <T> T read(String json, TypeReference<T> type) {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw Errors.internal("Unreadable model metadata: " + json, e);
    }
  }

  @Override
  public void close() {
    db.close();
  }
}
