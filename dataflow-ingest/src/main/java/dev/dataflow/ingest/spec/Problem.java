package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

/**
 * One thing wrong with a pipeline file, at a 1-based line and column.
 *
 * @param path the dotted field path ({@code origin.format}, {@code transforms[1].name}); empty for
 *     the file
 */
public record Problem(int line, int column, String path, String message) {
  public Problem {
    requireNonNull(path, "path is null");
    requireNonNull(message, "message is null");
  }

  @Override
  public String toString() {
    return "line "
        + line
        + ", column "
        + column
        + ": "
        + (path.isEmpty() ? "" : path + ": ")
        + message;
  }
}
