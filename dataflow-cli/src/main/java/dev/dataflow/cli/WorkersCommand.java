package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dataflow workers}: the processes running pipelines, what each runs, when last heard. */
@Command(
    name = "workers",
    mixinStandardHelpOptions = true,
    description = "List the workers: the pipelines each runs and when it was last heard from.")
final class WorkersCommand implements Callable<Integer> {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  @Mixin ServerOptions server;

  @Option(
      names = "--format",
      description = "table, csv or json (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  OutputFormat format;

  @Override
  public Integer call() {
    JsonNode workers = server.client().get("/api/v1/workers");
    if (format == OutputFormat.json) {
      System.out.println(workers.toPrettyString());
      return 0;
    }
    long now = System.currentTimeMillis();
    List<List<JsonNode>> rows = new ArrayList<>();
    for (JsonNode worker : workers) {
      List<String> pipelines = new ArrayList<>();
      worker.path("pipelines").forEach(name -> pipelines.add(name.asText()));
      rows.add(
          List.of(
              worker.path("id"),
              worker.path("role"),
              NODES.textNode(PipelineViews.time(worker.path("startedAt"))),
              NODES.textNode(
                  (now - worker.path("heardAt").asLong()) / 1000
                      + " s ago"
                      + (worker.path("alive").asBoolean() ? "" : " (gone)")),
              NODES.textNode(String.join(", ", pipelines))));
    }
    format
        .printer()
        .print(List.of("worker", "role", "started", "heard", "pipelines"), rows, System.out);
    return 0;
  }
}
