package dev.dataflow.api;

/**
 * Error categories shared by every access path; each maps to one HTTP status and one Flight status.
 */
public enum ErrorCode {
  SYNTAX_ERROR(400),
  INVALID_ARGUMENT(400),
  /** The statement reaches outside the catalog (files, table functions, engine settings). */
  NOT_ALLOWED(403),
  UNAUTHENTICATED(401),
  PERMISSION_DENIED(403),
  NOT_FOUND(404),
  ALREADY_EXISTS(409),
  /** A view whose upstream dataset is missing or no longer matches. */
  INVALID_VIEW(409),
  /**
   * The statement exceeds a limit set to protect the server (its size, its tree's nodes, depth or
   * joins, or its planning memory); the message names the limit and how to raise it.
   */
  LIMIT_EXCEEDED(413),
  CANCELLED(499),
  TIMEOUT(408),
  RESOURCE_EXHAUSTED(429),
  UNSUPPORTED(501),
  /** A shared service (the metadata store, the object store) cannot be reached now; retry. */
  UNAVAILABLE(503),
  INTERNAL(500);

  private final int httpStatus;

  ErrorCode(int httpStatus) {
    this.httpStatus = httpStatus;
  }

  public int httpStatus() {
    return httpStatus;
  }
}
