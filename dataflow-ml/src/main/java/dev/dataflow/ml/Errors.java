package dev.dataflow.ml;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;

/** Shorthands for the errors this module raises, each naming what was wrong. */
public final class Errors {
  private Errors() {}

  public static DataflowException invalid(String message) {
    return new DataflowException(ErrorCode.INVALID_ARGUMENT, message);
  }

  public static DataflowException notFound(String message) {
    return new DataflowException(ErrorCode.NOT_FOUND, message);
  }

  public static DataflowException internal(String message, Throwable cause) {
    return new DataflowException(ErrorCode.INTERNAL, message, cause);
  }
}
