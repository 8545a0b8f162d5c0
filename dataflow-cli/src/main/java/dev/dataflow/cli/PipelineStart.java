package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dataflow pipeline start}: starts a pipeline and, with {@code --follow}, shows its progress
 * until it leaves RUNNING. A pipeline with a schedule, or a continuous one, stays RUNNING:
 * following it lasts until Ctrl+C, which stops only the CLI, never the pipeline.
 */
@Command(
    name = "start",
    description = "Start a pipeline; --follow shows its progress until it ends.")
final class PipelineStart extends PipelineCommand.Printing {
  private static final long POLL_MILLIS = 500;

  @Parameters(paramLabel = "NAME", description = "The pipeline.")
  String name;

  @Option(
      names = "--follow",
      description =
          "Show live progress until the pipeline is no longer running; exit 1 if it FAILED.")
  boolean follow;

  @Override
  public Integer call() {
    PipelineClient pipelines = pipelines();
    JsonNode status = pipelines.start(name);
    if (!follow) {
      out().printf("Started pipeline %s (%s)%n", name, status.path("state").asText());
      return 0;
    }
    status = follow(pipelines);
    PipelineViews.printStatus(status, format, out());
    return "FAILED".equals(status.path("state").asText()) ? 1 : 0;
  }

  /** Polls the pipeline's status, showing its counters on stderr, until it leaves RUNNING. */
  private JsonNode follow(PipelineClient pipelines) {
    // stderr keeps stdout for the final status, so `--format json` output stays parseable
    try (ProgressDisplay display = ProgressDisplay.open(name, System.err)) {
      while (true) {
        JsonNode status = pipelines.show(name).path("status");
        boolean running = "RUNNING".equals(status.path("state").asText());
        display.show(running ? status.path("live") : status.path("lastRun"));
        if (!running) {
          return status;
        }
        sleep();
      }
    }
  }

  private static void sleep() {
    try {
      Thread.sleep(POLL_MILLIS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while following the pipeline; it keeps running");
    }
  }
}
