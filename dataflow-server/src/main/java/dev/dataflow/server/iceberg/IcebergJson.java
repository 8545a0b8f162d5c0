package dev.dataflow.server.iceberg;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.PropertyAccessor;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.apache.iceberg.exceptions.BadRequestException;
import org.apache.iceberg.rest.RESTMessage;
import org.apache.iceberg.rest.RESTRequest;
import org.apache.iceberg.rest.RESTSerializers;

/**
 * The REST catalog's JSON: Iceberg's own serializers for its request and response model, with the
 * kebab-case names and lenient reading that Iceberg's client mapper uses, so both sides agree on
 * every field.
 */
final class IcebergJson {
  private static final ObjectMapper MAPPER = mapper();

  private IcebergJson() {}

  private static ObjectMapper mapper() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.setVisibility(PropertyAccessor.FIELD, JsonAutoDetect.Visibility.ANY);
    // a newer client may send fields this server does not know yet
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
    mapper.setPropertyNamingStrategy(new PropertyNamingStrategies.KebabCaseStrategy());
    RESTSerializers.registerAll(mapper);
    return mapper;
  }

  /** The request in the body, validated as Iceberg's model validates it. */
  static <T extends RESTRequest> T read(Context ctx, Class<T> type) {
    T request;
    try {
      request = MAPPER.readValue(ctx.bodyAsBytes(), type);
    } catch (JsonProcessingException e) {
      throw new BadRequestException(
          "The body is not a valid %s: %s", type.getSimpleName(), e.getOriginalMessage());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (request == null) {
      throw new BadRequestException("The body must be a %s", type.getSimpleName());
    }
    request.validate();
    return request;
  }

  /**
   * Writes a listing: the whole of it, or the page a client asked for with {@code pageSize} (and
   * {@code pageToken} from the page before).
   */
  static void writeList(
      Context ctx, Supplier<RESTMessage> all, BiFunction<String, String, RESTMessage> page) {
    String pageSize = ctx.queryParam("pageSize");
    write(
        ctx, 200, pageSize == null ? all.get() : page.apply(ctx.queryParam("pageToken"), pageSize));
  }

  static void write(Context ctx, int status, RESTMessage message) {
    try {
      ctx.status(status).contentType("application/json").result(MAPPER.writeValueAsBytes(message));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write " + message.getClass().getSimpleName(), e);
    }
  }
}
