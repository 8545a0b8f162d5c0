package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code dataflow model}: train, import, list, show, alias, deploy and score models, all through
 * the server's public REST API ({@code /api/v1/models}).
 */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT,
    description = "Train, register, deploy and score machine-learning models.",
    subcommands = {
      ModelCommand.Train.class,
      ModelCommand.Import.class,
      ModelCommand.ListModels.class,
      ModelCommand.Show.class,
      ModelCommand.Alias.class,
      ModelCommand.Deploy.class,
      ModelCommand.Score.class
    })
final class ModelCommand {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** What every model subcommand shares: the server it talks to. */
  abstract static class Subcommand implements Callable<Integer> {
    @Mixin ServerOptions server;

    final String models(String name) {
      return "/api/v1/models" + (name == null ? "" : "/" + RestClient.encode(name));
    }

    final int print(JsonNode answer) {
      System.out.println(answer.toPrettyString());
      return 0;
    }
  }

  @Command(name = "train", description = "Train a new version (XGBoost) from a dataset or query.")
  static final class Train extends Subcommand {
    @Parameters(paramLabel = "MODEL", description = "The model; its first version creates it.")
    String name;

    @Option(names = "--dataset", description = "Train on this dataset's rows.")
    String dataset;

    @Option(names = "--sql", description = "Train on this query's rows.")
    String sql;

    @Option(names = "--target", required = true, description = "The column to predict.")
    String target;

    @Option(
        names = "--features",
        split = ",",
        description = "Feature columns, comma-separated (default: every other column).")
    List<String> features;

    @Option(
        names = "--task",
        defaultValue = "classification",
        description = "classification or regression (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(names = "--param", description = "An XGBoost parameter, NAME=VALUE (repeatable).")
    Map<String, String> params;

    @Option(names = "--test-fraction", defaultValue = "0.2", description = "Held-out share.")
    double testFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the split and trees.")
    long seed;

    @Option(names = "--description", description = "What this version is.")
    String description;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("dataset", dataset);
      body.put("sql", sql);
      body.put("target", target);
      body.put("features", features);
      body.put("task", task);
      body.put("params", params);
      body.put("test_fraction", testFraction);
      body.put("seed", seed);
      body.put("description", description);
      return print(server.client().post(models(name) + "/train", body));
    }
  }

  @Command(name = "import", description = "Register an ONNX or XGBoost file trained elsewhere.")
  static final class Import extends Subcommand {
    @Parameters(index = "0", paramLabel = "MODEL", description = "The model.")
    String name;

    @Parameters(index = "1", paramLabel = "FILE", description = "The model file.")
    Path file;

    @Option(names = "--format", required = true, description = "onnx or xgboost.")
    String format;

    @Option(
        names = "--task",
        defaultValue = "classification",
        description = "classification or regression (default: ${DEFAULT-VALUE}).")
    String task;

    @Option(
        names = "--features",
        description = "Inputs in the model's order: name or name:DATATYPE, comma-separated.")
    String features;

    @Override
    public Integer call() {
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(file);
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + file, e);
      }
      String query =
          "?format="
              + RestClient.encode(format)
              + "&task="
              + RestClient.encode(task)
              + (features == null ? "" : "&features=" + RestClient.encode(features));
      return print(server.client().post(models(name) + "/versions" + query, bytes));
    }
  }

  @Command(name = "list", description = "List the models with their latest version and aliases.")
  static final class ListModels extends Subcommand {
    @Option(
        names = "--format",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).",
        defaultValue = "table")
    OutputFormat format;

    @Override
    public Integer call() {
      List<List<JsonNode>> rows = new ArrayList<>();
      for (JsonNode model : server.client().get(models(null))) {
        rows.add(
            List.of(
                model.path("name"),
                model.path("latestVersion"),
                model.path("aliases"),
                model.path("description")));
      }
      format
          .printer()
          .print(List.of("model", "latest", "aliases", "description"), rows, System.out);
      return 0;
    }
  }

  @Command(name = "show", description = "Show a model, or one version (MODEL:3, MODEL@champion).")
  static final class Show extends Subcommand {
    @Parameters(paramLabel = "MODEL", description = "MODEL, MODEL:VERSION or MODEL@ALIAS.")
    String ref;

    @Override
    public Integer call() {
      int split = Math.max(ref.indexOf(':'), ref.indexOf('@'));
      if (split < 0) {
        return print(server.client().get(models(ref)));
      }
      String version = RestClient.encode(ref.substring(split + 1));
      return print(server.client().get(models(ref.substring(0, split)) + "/versions/" + version));
    }
  }

  @Command(name = "alias", description = "Point an alias (champion, challenger, …) at a version.")
  static final class Alias extends Subcommand {
    @Parameters(index = "0", paramLabel = "MODEL")
    String name;

    @Parameters(index = "1", paramLabel = "ALIAS")
    String alias;

    @Parameters(index = "2", paramLabel = "VERSION")
    int version;

    @Override
    public Integer call() {
      String path = models(name) + "/aliases/" + RestClient.encode(alias);
      return print(server.client().put(path, json(Map.of("version", version)), "application/json"));
    }
  }

  @Command(name = "deploy", description = "Serve a version or alias at /v2/models/MODEL.")
  static final class Deploy extends Subcommand {
    @Parameters(paramLabel = "MODEL", description = "The model.")
    String name;

    @Option(
        names = "--target",
        defaultValue = "",
        description = "A version or alias (default: the latest version).")
    String target;

    @Option(names = "--canary", description = "A second version or alias for a share of traffic.")
    String canary;

    @Option(names = "--canary-percent", defaultValue = "0", description = "The canary's share.")
    int canaryPercent;

    @Override
    public Integer call() {
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("target", target);
      body.put("canary", canary);
      body.put("canary_percent", canaryPercent);
      return print(
          server.client().put(models(name) + "/deployment", json(body), "application/json"));
    }
  }

  @Command(name = "score", description = "Write a dataset's predictions into a new lake table.")
  static final class Score extends Subcommand {
    @Parameters(paramLabel = "MODEL", description = "MODEL, MODEL:VERSION or MODEL@ALIAS.")
    String ref;

    @Option(names = "--dataset", description = "Score this dataset's rows.")
    String dataset;

    @Option(names = "--sql", description = "Score this query's rows.")
    String sql;

    @Option(names = "--output", required = true, description = "The table to create.")
    String output;

    @Option(names = "--column", description = "The prediction column (default: prediction).")
    String column;

    @Option(names = "--replace", description = "Replace the output table if it exists.")
    boolean replace;

    @Override
    public Integer call() {
      int split = Math.max(ref.indexOf(':'), ref.indexOf('@'));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("version", split < 0 ? null : ref.substring(split + 1));
      body.put("dataset", dataset);
      body.put("sql", sql);
      body.put("output", output);
      body.put("column", column);
      body.put("replace", replace);
      String name = split < 0 ? ref : ref.substring(0, split);
      return print(server.client().post(models(name) + "/score", body));
    }
  }

  private static String json(Object body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
