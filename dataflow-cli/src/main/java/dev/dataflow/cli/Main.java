package dev.dataflow.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dataflow} command. */
@Command(
    name = "dataflow",
    mixinStandardHelpOptions = true,
    version = "Dataflow 0.1.0",
    description = "Ingest, curate and analyze data on an Apache Iceberg lakehouse.",
    subcommands = {
      UpCommand.class,
      SqlCommand.class,
      PipelineCommand.class,
      WorkersCommand.class,
      ModelCommand.class
    })
public final class Main {
  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (tests call this directly). */
  public static int run(String... args) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setExecutionExceptionHandler(
        (e, cmd, parsed) -> {
          cmd.getErr().println(cmd.getColorScheme().errorText("Error: " + e.getMessage()));
          return 1;
        });
    return commandLine.execute(args);
  }
}
