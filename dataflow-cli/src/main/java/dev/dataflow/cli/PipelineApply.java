package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dataflow pipeline apply}: sends pipeline YAML files to the server, which validates and
 * stores them. Every file is tried; the exit code is 1 when any was refused.
 */
@Command(
    name = "apply",
    description = "Create or update pipelines from YAML files or directories of them.")
final class PipelineApply extends PipelineCommand.Subcommand {
  @Parameters(
      arity = "1..*",
      paramLabel = "FILE",
      description = "Pipeline YAML files, or directories whose *.yaml and *.yml files to apply.")
  List<Path> paths;

  @Option(
      names = "--name",
      description =
          "The pipeline's name, when it cannot be read from the file's `name:` (one file only).")
  String name;

  @Override
  public Integer call() throws IOException {
    List<Path> files = files();
    if (name != null && files.size() != 1) {
      throw new IllegalArgumentException(
          "--name names one pipeline, but " + files.size() + " files were given");
    }
    PipelineClient pipelines = pipelines();
    int refused = 0;
    for (Path file : files) {
      refused += apply(pipelines, file) ? 0 : 1;
    }
    return refused == 0 ? 0 : 1;
  }

  private boolean apply(PipelineClient pipelines, Path file) throws IOException {
    String yaml = Files.readString(file);
    String pipeline = name != null ? name : nameIn(yaml, file);
    try {
      JsonNode applied = pipelines.apply(pipeline, file.toAbsolutePath().getParent(), yaml);
      out()
          .printf(
              "Applied pipeline %s (%s) from %s%n", pipeline, applied.path("state").asText(), file);
      return true;
    } catch (RestClient.ServerError e) {
      // the server names the file by pipeline name; say which file the user gave
      System.err.println("Error: " + file + ": " + e.getMessage());
      return false;
    }
  }

  /** The YAML files the arguments name: files as given, directories' YAML files in name order. */
  private List<Path> files() throws IOException {
    List<Path> files = new ArrayList<>();
    for (Path path : paths) {
      if (!Files.exists(path)) {
        throw new IllegalArgumentException("No such file or directory: " + path);
      }
      files.addAll(Files.isDirectory(path) ? yamlFiles(path) : List.of(path));
    }
    return files;
  }

  private static List<Path> yamlFiles(Path directory) throws IOException {
    try (Stream<Path> entries = Files.list(directory)) {
      List<Path> files =
          entries
              .filter(p -> Files.isRegularFile(p))
              .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
              .sorted()
              .toList();
      if (files.isEmpty()) {
        throw new IllegalArgumentException("No *.yaml or *.yml files in directory " + directory);
      }
      return files;
    }
  }

  /**
   * The top-level {@code name:} of the YAML. When the file does not parse or has no name, the
   * file's base name is used, so the server still answers with every problem in it.
   */
  static String nameIn(String yaml, Path file) {
    try {
      Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
      if (document instanceof Map<?, ?> map
          && map.get("name") instanceof String name
          && !name.isBlank()) {
        return name;
      }
    } catch (YAMLException e) {
      // fall through: the server reports the syntax error with its position
    }
    String base = file.getFileName().toString();
    return base.contains(".") ? base.substring(0, base.lastIndexOf('.')) : base;
  }
}
