package dev.dataflow.ingest.spec;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every problem found in one pipeline file. Its own line and column are the first problem's, so
 * callers that only show one position still point at the right place.
 */
public final class InvalidPipelineException extends DataflowException {
  private final List<Problem> problems;

  InvalidPipelineException(Path source, List<Problem> problems) {
    super(
        ErrorCode.INVALID_ARGUMENT,
        message(source, problems),
        problems.get(0).line(),
        problems.get(0).column(),
        null);
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }

  private static String message(Path source, List<Problem> problems) {
    String count = problems.size() == 1 ? "1 problem" : problems.size() + " problems";
    return "Invalid pipeline "
        + source
        + " ("
        + count
        + "):\n"
        + problems.stream().map(problem -> "  " + problem).collect(Collectors.joining("\n"));
  }
}
