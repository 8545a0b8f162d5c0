package dev.dataflow.sql.write;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.sql.SQLException;

/** Turns DuckDB's errors into Dataflow errors a user can act on. */
public final class EngineErrors {
  private EngineErrors() {}

  public static DataflowException translate(SQLException e) {
    String message = e.getMessage() == null ? e.toString() : e.getMessage();
    // DuckDB appends a "LINE n: …" excerpt of the statement it ran, which is the rewritten query,
    // not
    // the user's: keep the first paragraph only
    int excerpt = message.indexOf("\n\nLINE ");
    if (excerpt < 0) {
      excerpt = message.indexOf("\nLINE ");
    }
    String text = (excerpt < 0 ? message : message.substring(0, excerpt)).trim();
    return new DataflowException(codeOf(text), text, e);
  }

  private static ErrorCode codeOf(String text) {
    if (text.startsWith("INTERRUPT") || text.contains("Interrupted")) {
      return ErrorCode.CANCELLED;
    }
    if (text.startsWith("Parser Error")) {
      return ErrorCode.SYNTAX_ERROR;
    }
    if (text.startsWith("Permission Error")) {
      return ErrorCode.NOT_ALLOWED;
    }
    if (text.startsWith("Out of Memory Error")) {
      return ErrorCode.RESOURCE_EXHAUSTED;
    }
    if (text.startsWith("Binder Error")
        || text.startsWith("Conversion Error")
        || text.startsWith("Invalid Input Error")
        || text.startsWith("Catalog Error")
        || text.startsWith("Constraint Error")
        || text.startsWith("Out of Range Error")
        || text.startsWith("Not implemented Error")) {
      return ErrorCode.INVALID_ARGUMENT;
    }
    return ErrorCode.INTERNAL;
  }
}
