package dev.dataflow.server.http;

/**
 * An outcome of the HTTP layer that no {@link dev.dataflow.api.ErrorCode} names, such as asking for
 * the result of a job that is still running. Carries its own status and error code.
 */
final class ApiException extends RuntimeException {
  private final int status;
  private final String code;

  ApiException(int status, String code, String message) {
    super(message);
    this.status = status;
    this.code = code;
  }

  int status() {
    return status;
  }

  String code() {
    return code;
  }
}
