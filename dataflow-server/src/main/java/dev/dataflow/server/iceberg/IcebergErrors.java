package dev.dataflow.server.iceberg;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.MetadataDb;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.util.Map;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.exceptions.CommitFailedException;
import org.apache.iceberg.exceptions.CommitStateUnknownException;
import org.apache.iceberg.exceptions.ForbiddenException;
import org.apache.iceberg.exceptions.NamespaceNotEmptyException;
import org.apache.iceberg.exceptions.NoSuchIcebergTableException;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.exceptions.NotAuthorizedException;
import org.apache.iceberg.exceptions.NotFoundException;
import org.apache.iceberg.exceptions.ValidationException;
import org.apache.iceberg.rest.responses.ErrorResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every failure under {@code /iceberg} answered as the spec's {@code ErrorResponse}, with the
 * status Iceberg's client turns back into the same exception: 404 for what does not exist, 409 for
 * what already does and for a commit whose requirements no longer hold, 503 when the metadata store
 * cannot be reached (the client may retry), 500 for anything else.
 */
public final class IcebergErrors {
  private static final Logger LOG = LoggerFactory.getLogger(IcebergErrors.class);

  private static final Map<Class<? extends Exception>, Integer> STATUS =
      Map.ofEntries(
          Map.entry(IllegalArgumentException.class, 400),
          Map.entry(ValidationException.class, 400),
          Map.entry(BadRequestException.class, 400),
          Map.entry(NotAuthorizedException.class, 401),
          Map.entry(ForbiddenException.class, 403),
          Map.entry(NoSuchNamespaceException.class, 404),
          Map.entry(NoSuchTableException.class, 404),
          Map.entry(NoSuchIcebergTableException.class, 404),
          Map.entry(NoSuchViewException.class, 404),
          // a metadata file the catalog points to is gone
          Map.entry(NotFoundException.class, 404),
          Map.entry(UnsupportedOperationException.class, 406),
          Map.entry(AlreadyExistsException.class, 409),
          Map.entry(CommitFailedException.class, 409),
          Map.entry(NamespaceNotEmptyException.class, 409),
          Map.entry(CommitStateUnknownException.class, 500));

  private IcebergErrors() {}

  /** Answers {@code failure} of a request under {@code /iceberg}. */
  public static void answer(Exception failure, Context ctx) {
    int status = status(failure);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Basic realm=\"Dataflow\", charset=\"UTF-8\"");
    }
    if (status >= 500) {
      LOG.warn("Iceberg REST catalog failed {} {}", ctx.method(), ctx.path(), failure);
    }
    ErrorResponse error =
        ErrorResponse.builder()
            .responseCode(status)
            .withType(type(failure, status))
            .withMessage(
                failure.getMessage() != null ? failure.getMessage() : failure.getClass().getName())
            .build();
    IcebergJson.write(ctx, status, error);
  }

  static int status(Exception failure) {
    if (failure instanceof DataflowException e) {
      return e.code().httpStatus();
    }
    if (failure instanceof HttpResponseException e) {
      return e.getStatus();
    }
    if (MetadataDb.unreachable(failure)) {
      return 503;
    }
    return STATUS.getOrDefault(failure.getClass(), 500);
  }

  private static String type(Exception failure, int status) {
    if (failure instanceof DataflowException e && e.code() == ErrorCode.UNAUTHENTICATED) {
      return NotAuthorizedException.class.getSimpleName();
    }
    if (status == 503) {
      return "ServiceUnavailableException";
    }
    return failure.getClass().getSimpleName();
  }
}
