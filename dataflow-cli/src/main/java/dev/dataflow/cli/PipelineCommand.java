package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ScopeType;

/**
 * {@code dataflow pipeline}: applies pipeline YAML files, starts and stops pipelines and shows
 * their state, runs, previews and error records, all through the server's public REST API.
 */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    scope = ScopeType.INHERIT, // every subcommand takes --help too
    description = "Apply, run and inspect ingestion pipelines.",
    subcommands = {
      PipelineApply.class,
      PipelineStart.class,
      PipelineCommand.Stop.class,
      PipelineCommand.Status.class,
      PipelineCommand.Runs.class,
      PipelineCommand.Preview.class,
      PipelineCommand.Errors.class,
      PipelineCommand.Delete.class
    })
final class PipelineCommand {
  /** What every pipeline subcommand shares: the server it talks to. */
  abstract static class Subcommand implements Callable<Integer> {
    @Mixin ServerOptions server;

    final PipelineClient pipelines() {
      return new PipelineClient(server.client());
    }

    final PrintStream out() {
      return System.out;
    }
  }

  /** A subcommand that prints a result in a chosen format. */
  abstract static class Printing extends Subcommand {
    @Option(
        names = "--format",
        description = "table, csv or json (default: ${DEFAULT-VALUE}).",
        defaultValue = "table")
    OutputFormat format;
  }

  @Command(name = "stop", description = "Stop a running pipeline after its current batch.")
  static final class Stop extends Printing {
    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Override
    public Integer call() {
      PipelineClient pipelines = pipelines();
      JsonNode status;
      try {
        status = pipelines.stop(name);
      } catch (RestClient.ServerError e) {
        if (e.status != 400) {
          throw e;
        }
        // the server only says "not running"; the state tells the user what to do instead
        String state = pipelines.show(name).path("status").path("state").asText();
        throw new IllegalStateException(
            "Pipeline "
                + name
                + " is not running (its state is "
                + state
                + "); nothing to stop."
                + " Start it with `dataflow pipeline start "
                + name
                + "`.");
      }
      PipelineViews.printStatus(status, format, out());
      return 0;
    }
  }

  @Command(
      name = "status",
      description = "Show one pipeline's state, last run and live counters, or list all.")
  static final class Status extends Printing {
    @Parameters(
        arity = "0..1",
        paramLabel = "NAME",
        description = "The pipeline; none lists every pipeline.")
    String name;

    @Override
    public Integer call() {
      if (name == null) {
        PipelineViews.printList(pipelines().list(), format, out());
      } else {
        PipelineViews.printStatus(pipelines().show(name).path("status"), format, out());
      }
      return 0;
    }
  }

  @Command(name = "runs", description = "List a pipeline's runs, newest first.")
  static final class Runs extends Printing {
    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Option(
        names = "--limit",
        description = "At most this many runs (default: ${DEFAULT-VALUE}).",
        defaultValue = "20")
    int limit;

    @Override
    public Integer call() {
      PipelineViews.printRuns(pipelines().runs(name, limit), format, out());
      return 0;
    }
  }

  @Command(
      name = "preview",
      description = "Dry-run a pipeline over its first input rows; commits nothing.")
  static final class Preview extends Printing {
    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Option(
        names = "--limit",
        description = "Input rows to preview (default: ${DEFAULT-VALUE}).",
        defaultValue = "20")
    int limit;

    @Override
    public Integer call() {
      JsonNode preview = pipelines().preview(name, limit);
      if (format == OutputFormat.json) {
        out().println(preview.toPrettyString());
        return 0;
      }
      for (Map.Entry<String, JsonNode> stage : preview.path("stages").properties()) {
        out().println("Stage " + stage.getKey() + ":");
        PipelineViews.printRows(stage.getValue(), format, out());
        out().println();
      }
      out().println("Errors:");
      PipelineViews.printRows(preview.path("errors"), format, out());
      return 0;
    }
  }

  @Command(
      name = "errors",
      description = "Show a pipeline's newest error records: the rows it rejected and why.")
  static final class Errors extends Printing {
    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Option(
        names = "--limit",
        description = "At most this many records (default: ${DEFAULT-VALUE}).",
        defaultValue = "100")
    int limit;

    @Override
    public Integer call() {
      JsonNode errors = pipelines().errors(name, limit);
      // the server answers no columns when the error table was never written
      if (errors.path("columns").isEmpty() && format != OutputFormat.json) {
        out().println("Pipeline " + name + " has no error records.");
        return 0;
      }
      PipelineViews.printRows(errors, format, out());
      return 0;
    }
  }

  @Command(name = "delete", description = "Delete a pipeline (stopping it first); its tables stay.")
  static final class Delete extends Subcommand {
    @Parameters(paramLabel = "NAME", description = "The pipeline.")
    String name;

    @Override
    public Integer call() {
      pipelines().delete(name);
      out().println("Deleted pipeline " + name);
      return 0;
    }
  }
}
