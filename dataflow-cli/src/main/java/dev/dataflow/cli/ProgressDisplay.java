package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.Console;
import java.io.PrintStream;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Shows a pipeline's counters while a command follows it: a redrawn progress bar on a terminal, and
 * a plain line per change elsewhere, since carriage-return redraws garble logs and CI output.
 */
abstract class ProgressDisplay implements AutoCloseable {
  static ProgressDisplay open(String task, PrintStream out) {
    return interactive() ? new Bar(task, out) : new Lines(task, out);
  }

  /** Shows live counters or a finished run's; either may be absent before the first batch. */
  abstract void show(JsonNode counts);

  @Override
  public void close() {}

  /** Rows per second: live counters carry it, a finished run's follow from its duration. */
  static String speed(JsonNode counts) {
    double perSecond = counts.path("rowsPerSecond").asDouble(Double.NaN);
    if (Double.isNaN(perSecond) && counts.path("endedAt").isNumber()) {
      double seconds =
          (counts.path("endedAt").asLong() - counts.path("startedAt").asLong()) / 1000.0;
      perSecond = counts.path("rowsIn").asLong() / Math.max(0.001, seconds);
    }
    return Double.isNaN(perSecond) ? "" : String.format(", %,.0f rows/s", perSecond);
  }

  private static boolean interactive() {
    Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      // from Java 22 a console exists even when redirected; isTerminal tells the two apart
      return (Boolean) Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException e) {
      return true;
    }
  }

  private static final class Bar extends ProgressDisplay {
    private final ProgressBar bar;

    Bar(String task, PrintStream out) {
      bar =
          new ProgressBarBuilder()
              .setTaskName(task)
              .setInitialMax(-1) // a pipeline's input size is unknown up front
              .setStyle(ProgressBarStyle.ASCII)
              .setUnit(" rows", 1)
              .setConsumer(new ConsoleProgressBarConsumer(out))
              .hideEta()
              .build();
    }

    @Override
    void show(JsonNode counts) {
      if (counts.isObject()) {
        bar.stepTo(counts.path("rowsIn").asLong());
        bar.setExtraMessage(
            String.format(
                    "out %,d, error %,d",
                    counts.path("rowsOut").asLong(), counts.path("rowsError").asLong())
                + speed(counts));
      }
    }

    @Override
    public void close() {
      bar.close();
    }
  }

  private static final class Lines extends ProgressDisplay {
    private final String task;
    private final PrintStream out;
    private String last = "";

    Lines(String task, PrintStream out) {
      this.task = task;
      this.out = out;
    }

    @Override
    void show(JsonNode counts) {
      String line = counts.isObject() ? PipelineViews.counts(counts) : "";
      if (!line.isEmpty() && !line.equals(last)) {
        out.println(task + ": " + line + speed(counts));
        last = line;
      }
    }
  }
}
