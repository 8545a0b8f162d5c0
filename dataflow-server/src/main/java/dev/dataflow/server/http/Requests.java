package dev.dataflow.server.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.server.auth.Principal;
import io.javalin.http.Context;

/** Reading what a request carries: its principal, its JSON body, its parameters. */
final class Requests {
  /** The one JSON mapper of the API; big decimals are written digit for digit. */
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private static final String PRINCIPAL = "dataflow.principal";
  private static final String SQL_BODY =
      "The body must be a JSON object like {\"sql\": \"SELECT 1\"}";

  private Requests() {}

  static void principal(Context ctx, Principal principal) {
    ctx.attribute(PRINCIPAL, principal);
  }

  static Principal principal(Context ctx) {
    Principal principal = ctx.attribute(PRINCIPAL);
    if (principal == null) {
      // the before-handler authenticates every route that reaches here: this is a wiring bug
      throw new IllegalStateException("request was not authenticated");
    }
    return principal;
  }

  /** The {@code sql} text of a JSON body. */
  static String sql(Context ctx) {
    JsonNode sql = body(ctx, SQL_BODY).path("sql");
    if (!sql.isTextual()) {
      throw new DataflowException(ErrorCode.INVALID_ARGUMENT, SQL_BODY);
    }
    return sql.asText();
  }

  /** A JSON object body; {@code expected} tells the client what it should have sent. */
  static JsonNode body(Context ctx, String expected) {
    try {
      JsonNode body = JSON.readTree(ctx.body());
      if (body == null || !body.isObject()) {
        throw new DataflowException(ErrorCode.INVALID_ARGUMENT, expected);
      }
      return body;
    } catch (JsonProcessingException e) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "The body is not valid JSON: " + e.getOriginalMessage(),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getLocation() == null ? 0 : e.getLocation().getColumnNr(),
          null);
    }
  }

  /** A JSON body read as {@code type}; {@code expected} tells the user what to send instead. */
  static <T> T body(Context ctx, Class<T> type, String expected) {
    try {
      return JSON.readValue(ctx.body(), type);
    } catch (JsonProcessingException e) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "The body is not " + expected + ": " + e.getOriginalMessage(),
          e.getLocation() == null ? 0 : e.getLocation().getLineNr(),
          e.getLocation() == null ? 0 : e.getLocation().getColumnNr(),
          null);
    }
  }

  /** The dotted dataset path in the URL ({@code tpch.orders}, quoted parts allowed). */
  static DatasetPath path(Context ctx) {
    return DatasetPath.parse(ctx.pathParam("path"));
  }

  /** An integer query parameter within {@code [min, max]}, or {@code fallback} when absent. */
  static long number(Context ctx, String name, long fallback, long min, long max) {
    String text = ctx.queryParam(name);
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      long value = Long.parseLong(text.trim());
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // answered below, as an out-of-range value is
    }
    throw new DataflowException(
        ErrorCode.INVALID_ARGUMENT,
        "Query parameter "
            + name
            + " must be a whole number from "
            + min
            + " to "
            + max
            + ", not '"
            + text
            + "'");
  }
}
