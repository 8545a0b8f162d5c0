package dev.dataflow.server.flight;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.ErrorFlightMetadata;
import org.apache.arrow.flight.FlightRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Dataflow errors into Flight errors. The description is {@link
 * DataflowException#describe()}, so line and column reach the user; the Dataflow code travels in
 * the trailer {@value #CODE_KEY} because Flight's few status codes merge some of ours (SYNTAX_ERROR
 * and INVALID_ARGUMENT, say).
 */
final class FlightErrors {
  static final String CODE_KEY = "x-dataflow-error-code";

  private static final Logger LOG = LoggerFactory.getLogger(FlightErrors.class);

  private FlightErrors() {}

  static FlightRuntimeException of(Throwable error) {
    if (error instanceof FlightRuntimeException flight) {
      return flight;
    }
    if (error instanceof DataflowException dataflow) {
      return of(dataflow);
    }
    // a bug or an unexpected library failure: the client gets a generic message, the log the detail
    LOG.error("Flight SQL call failed", error);
    return of(new DataflowException(ErrorCode.INTERNAL, "Internal error: " + error, error));
  }

  static FlightRuntimeException of(DataflowException error) {
    ErrorFlightMetadata metadata = new ErrorFlightMetadata();
    metadata.insert(CODE_KEY, error.code().name());
    return status(error.code())
        .withDescription(error.describe())
        .withCause(error)
        .withMetadata(metadata)
        .toRuntimeException();
  }

  static FlightRuntimeException of(ErrorCode code, String message) {
    return of(new DataflowException(code, message));
  }

  private static CallStatus status(ErrorCode code) {
    return switch (code) {
      case SYNTAX_ERROR, INVALID_ARGUMENT, INVALID_VIEW -> CallStatus.INVALID_ARGUMENT;
      // Flight's UNAUTHORIZED is gRPC's PERMISSION_DENIED
      case NOT_ALLOWED, PERMISSION_DENIED -> CallStatus.UNAUTHORIZED;
      case UNAUTHENTICATED -> CallStatus.UNAUTHENTICATED;
      case NOT_FOUND -> CallStatus.NOT_FOUND;
      case ALREADY_EXISTS -> CallStatus.ALREADY_EXISTS;
      case CANCELLED -> CallStatus.CANCELLED;
      case TIMEOUT -> CallStatus.TIMED_OUT;
      case LIMIT_EXCEEDED, RESOURCE_EXHAUSTED -> CallStatus.RESOURCE_EXHAUSTED;
      case UNSUPPORTED -> CallStatus.UNIMPLEMENTED;
      case UNAVAILABLE -> CallStatus.UNAVAILABLE;
      case INTERNAL -> CallStatus.INTERNAL;
    };
  }
}
