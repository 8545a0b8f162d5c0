package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;

/** How {@code dataflow sql} prints a result. */
enum OutputFormat {
  table,
  csv,
  json;

  interface Printer {
    void print(List<String> columns, List<List<JsonNode>> rows, PrintStream out);
  }

  Printer printer() {
    return switch (this) {
      case table -> OutputFormat::printTable;
      case csv -> OutputFormat::printCsv;
      case json -> OutputFormat::printJson;
    };
  }

  private static String text(JsonNode value) {
    if (value == null || value.isNull()) {
      return "NULL";
    }
    if (value.isBigDecimal()) {
      // exact decimals print as written, never in exponent form
      return value.decimalValue().toPlainString();
    }
    return value.isValueNode() ? value.asText() : value.toString();
  }

  private static void printTable(List<String> columns, List<List<JsonNode>> rows, PrintStream out) {
    int[] widths = new int[columns.size()];
    for (int c = 0; c < columns.size(); c++) {
      widths[c] = columns.get(c).length();
      for (List<JsonNode> row : rows) {
        widths[c] = Math.max(widths[c], text(row.get(c)).length());
      }
    }
    StringBuilder rule = new StringBuilder("+");
    for (int width : widths) {
      rule.append("-".repeat(width + 2)).append('+');
    }
    out.println(rule);
    out.println(line(columns, widths, null));
    out.println(rule);
    for (List<JsonNode> row : rows) {
      out.println(line(row.stream().map(OutputFormat::text).toList(), widths, row));
    }
    out.println(rule);
    out.println(rows.size() + (rows.size() == 1 ? " row" : " rows"));
  }

  private static String line(List<String> cells, int[] widths, List<JsonNode> values) {
    StringBuilder line = new StringBuilder("|");
    for (int c = 0; c < cells.size(); c++) {
      boolean number = values != null && values.get(c) != null && values.get(c).isNumber();
      String cell = cells.get(c);
      String pad = " ".repeat(widths[c] - cell.length());
      line.append(' ').append(number ? pad + cell : cell + pad).append(" |");
    }
    return line.toString();
  }

  private static void printCsv(List<String> columns, List<List<JsonNode>> rows, PrintStream out) {
    out.println(String.join(",", columns.stream().map(OutputFormat::csvCell).toList()));
    for (List<JsonNode> row : rows) {
      out.println(
          String.join(
              ",",
              row.stream().map(v -> v == null || v.isNull() ? "" : csvCell(text(v))).toList()));
    }
  }

  private static String csvCell(String value) {
    boolean quote =
        value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r");
    return quote ? '"' + value.replace("\"", "\"\"") + '"' : value;
  }

  private static void printJson(List<String> columns, List<List<JsonNode>> rows, PrintStream out) {
    ObjectMapper json = new ObjectMapper();
    ArrayNode array = json.createArrayNode();
    for (List<JsonNode> row : rows) {
      ObjectNode object = array.addObject();
      for (int c = 0; c < columns.size(); c++) {
        object.set(columns.get(c), row.get(c));
      }
    }
    out.println(array.toPrettyString());
  }
}
