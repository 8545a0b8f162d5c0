package dev.dataflow.api;

import static java.util.Objects.requireNonNull;

/**
 * An error a caller can act on: a code, a message and, for SQL, the line and column (1-based) where
 * it was found. Line and column are 0 when unknown.
 */
public class DataflowException extends RuntimeException {
  private final ErrorCode code;
  private final int line;
  private final int column;

  public DataflowException(ErrorCode code, String message) {
    this(code, message, 0, 0, null);
  }

  public DataflowException(ErrorCode code, String message, Throwable cause) {
    this(code, message, 0, 0, cause);
  }

  public DataflowException(ErrorCode code, String message, int line, int column, Throwable cause) {
    super(requireNonNull(message, "message is null"), cause);
    this.code = requireNonNull(code, "code is null");
    this.line = line;
    this.column = column;
  }

  public ErrorCode code() {
    return code;
  }

  public int line() {
    return line;
  }

  public int column() {
    return column;
  }

  /** The message with its position, as a person reads it. */
  public String describe() {
    return line > 0 ? getMessage() + " (line " + line + ", column " + column + ")" : getMessage();
  }
}
