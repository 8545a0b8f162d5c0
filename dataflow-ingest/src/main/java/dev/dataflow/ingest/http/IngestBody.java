package dev.dataflow.ingest.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * The body of an ingest request as JSON lines, the spool's format. JSON lines are kept as sent, bad
 * lines included: the pipeline splits those into its error table (stage parse) like any file's. A
 * body with no readable record at all is refused, as the client sent the wrong thing.
 */
final class IngestBody {
  static final String NDJSON = "application/x-ndjson";
  static final String JSON = "application/json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /** The records as JSON lines and how many lines (records, readable or not) they are. */
  record Lines(byte[] text, long rows) {}

  private IngestBody() {}

  static Lines parse(byte[] body, String contentType) {
    String type = mediaType(contentType);
    if (type.equals(JSON)) {
      return array(body);
    }
    if (type.equals(NDJSON)) {
      return lines(body);
    }
    throw invalid(
        "Content-Type "
            + contentType
            + " cannot be ingested; send "
            + NDJSON
            + " (one JSON object per line) or "
            + JSON
            + " (an array of objects)");
  }

  private static String mediaType(String contentType) {
    if (contentType == null) {
      return "";
    }
    int semicolon = contentType.indexOf(';');
    return (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  /** A JSON array of objects (or one object), rewritten one object per line. */
  private static Lines array(byte[] body) {
    JsonNode root;
    try {
      root = MAPPER.readTree(body);
    } catch (IOException e) {
      throw invalid("The body is not JSON: " + firstLine(e) + "; send an array of objects");
    }
    if (root == null || !(root.isArray() || root.isObject())) {
      throw invalid(
          "The body is not a JSON array of objects; send e.g. [{\"id\": 1}, {\"id\": 2}]");
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + 16);
    long rows = 0;
    for (JsonNode record : root.isArray() ? root : MAPPER.createArrayNode().add(root)) {
      if (!record.isObject()) {
        throw invalid(
            "Element " + rows + " of the array is not a JSON object; every record must be one");
      }
      out.writeBytes(bytes(record));
      out.write('\n');
      rows++;
    }
    return new Lines(out.toByteArray(), rows);
  }

  /** JSON lines as sent; refused only when no line at all is a JSON object. */
  private static Lines lines(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8);
    if (text.strip().startsWith("[")) {
      // the spool reader would take it for one array: it is one, so say how to send it
      throw invalid("The body is a JSON array, not JSON lines; send it with Content-Type " + JSON);
    }
    long rows = 0;
    boolean readable = false;
    for (String line : (Iterable<String>) text.lines()::iterator) {
      if (line.isBlank()) {
        continue;
      }
      rows++;
      readable = readable || isObject(line);
    }
    if (rows > 0 && !readable) {
      throw invalid(
          "No line of the body is a JSON object; send one JSON object per line (" + NDJSON + ")");
    }
    byte[] lines =
        body.length == 0 || body[body.length - 1] == '\n' ? body : append(body, (byte) '\n');
    return new Lines(lines, rows);
  }

  private static boolean isObject(String line) {
    try {
      return MAPPER.readTree(line).isObject();
    } catch (IOException e) {
      return false;
    }
  }

  private static byte[] bytes(JsonNode record) {
    try {
      return MAPPER.writeValueAsBytes(record);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] append(byte[] body, byte last) {
    byte[] copy = java.util.Arrays.copyOf(body, body.length + 1);
    copy[body.length] = last;
    return copy;
  }

  private static String firstLine(IOException e) {
    return e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
  }

  private static DataflowException invalid(String message) {
    return new DataflowException(ErrorCode.INVALID_ARGUMENT, message);
  }
}
