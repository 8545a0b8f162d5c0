package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How {@code dataflow pipeline} prints statuses, runs and row sets the REST API answers. */
final class PipelineViews {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneId.systemDefault());
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private PipelineViews() {}

  /** Prints {@code {"columns": [..], "rows": [[..]]}} as the format says. */
  static void printRows(JsonNode table, OutputFormat format, PrintStream out) {
    List<String> columns = new ArrayList<>();
    table.path("columns").forEach(column -> columns.add(column.asText()));
    List<List<JsonNode>> rows = new ArrayList<>();
    for (JsonNode row : table.path("rows")) {
      List<JsonNode> values = new ArrayList<>();
      row.forEach(values::add);
      rows.add(values);
    }
    format.printer().print(columns, rows, out);
  }

  /** One line per pipeline: its state and the counts of its last run (or of the running one). */
  static void printList(JsonNode statuses, OutputFormat format, PrintStream out) {
    if (format == OutputFormat.json) {
      out.println(statuses.toPrettyString());
      return;
    }
    List<List<JsonNode>> rows = new ArrayList<>();
    for (JsonNode status : statuses) {
      JsonNode run = status.path("lastRun");
      JsonNode counts = status.path("live").isObject() ? status.path("live") : run;
      rows.add(
          List.of(
              status.path("name"),
              status.path("state"),
              text(run.path("status")),
              NODES.textNode(time(run.path("startedAt"))),
              counts.path("rowsIn"),
              counts.path("rowsOut"),
              counts.path("rowsError"),
              text(status.path("cause"))));
    }
    List<String> columns =
        List.of(
            "name", "state", "last_run", "started", "rows_in", "rows_out", "rows_error", "cause");
    format.printer().print(columns, rows, out);
  }

  static void printRuns(JsonNode runs, OutputFormat format, PrintStream out) {
    if (format == OutputFormat.json) {
      out.println(runs.toPrettyString());
      return;
    }
    List<List<JsonNode>> rows = new ArrayList<>();
    for (JsonNode run : runs) {
      rows.add(
          List.of(
              run.path("id"),
              run.path("status"),
              NODES.textNode(time(run.path("startedAt"))),
              NODES.textNode(duration(run)),
              run.path("rowsIn"),
              run.path("rowsOut"),
              run.path("rowsError"),
              run.path("files"),
              run.path("bytes"),
              text(run.path("snapshotId")),
              text(run.path("error"))));
    }
    List<String> columns =
        List.of(
            "id",
            "status",
            "started",
            "duration",
            "rows_in",
            "rows_out",
            "rows_error",
            "files",
            "bytes",
            "snapshot_id",
            "error");
    format.printer().print(columns, rows, out);
  }

  /**
   * One pipeline's state, cause, last run and live counters; fields without a value are left out.
   */
  static void printStatus(JsonNode status, OutputFormat format, PrintStream out) {
    if (format == OutputFormat.json) {
      out.println(status.toPrettyString());
      return;
    }
    Map<String, String> fields = fields(status);
    if (format == OutputFormat.csv) {
      List<List<JsonNode>> rows = new ArrayList<>();
      fields.forEach(
          (field, value) -> rows.add(List.of(NODES.textNode(field), NODES.textNode(value))));
      format.printer().print(List.of("field", "value"), rows, out);
      return;
    }
    int width = fields.keySet().stream().mapToInt(String::length).max().orElse(0);
    fields.forEach((field, value) -> out.printf("%-" + width + "s  %s%n", field, value));
  }

  private static Map<String, String> fields(JsonNode status) {
    Map<String, String> fields = new LinkedHashMap<>();
    put(fields, "name", status.path("name").asText());
    put(fields, "state", status.path("state").asText());
    put(fields, "cause", value(status.path("cause")));
    JsonNode run = status.path("lastRun");
    if (run.isObject()) {
      put(fields, "last run", run.path("id").asText() + " " + run.path("status").asText());
      put(fields, "started", time(run.path("startedAt")));
      put(fields, "duration", duration(run));
      put(fields, "rows", counts(run));
      put(fields, "files", value(run.path("files")));
      put(fields, "bytes", value(run.path("bytes")));
      put(fields, "snapshot", value(run.path("snapshotId")));
      put(fields, "run error", value(run.path("error")));
    }
    JsonNode live = status.path("live");
    if (live.isObject()) {
      put(
          fields,
          "live rows",
          counts(live) + String.format(", %,.0f rows/s", live.path("rowsPerSecond").asDouble()));
      put(fields, "live batches", value(live.path("batches")));
      put(fields, "last commit", time(live.path("lastCommitAt")));
    }
    return fields;
  }

  /** The counts of a run or of live progress, as one readable phrase. */
  static String counts(JsonNode counts) {
    return String.format(
        "in %,d, out %,d, error %,d",
        counts.path("rowsIn").asLong(),
        counts.path("rowsOut").asLong(),
        counts.path("rowsError").asLong());
  }

  private static void put(Map<String, String> fields, String field, String value) {
    if (!value.isEmpty()) {
      fields.put(field, value);
    }
  }

  private static String value(JsonNode node) {
    return node.isMissingNode() || node.isNull() ? "" : node.asText();
  }

  private static JsonNode text(JsonNode node) {
    return NODES.textNode(value(node));
  }

  static String time(JsonNode epochMillis) {
    return epochMillis.isNumber() ? TIME.format(Instant.ofEpochMilli(epochMillis.asLong())) : "";
  }

  private static String duration(JsonNode run) {
    JsonNode ended = run.path("endedAt");
    if (!ended.isNumber()) {
      return "";
    }
    return String.format("%.1f s", (ended.asLong() - run.path("startedAt").asLong()) / 1000.0);
  }
}
