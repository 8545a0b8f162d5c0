package dev.dataflow.ingest.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * Renders a {@link ConfigSchema} as a Markdown reference: one table per mapping, nested ones after
 * it.
 */
final class ConfigDocs {
  private ConfigDocs() {}

  static String markdown(ConfigSchema schema) {
    StringBuilder out = new StringBuilder();
    section(out, "(top level)", "", schema);
    return out.toString();
  }

  private static void section(StringBuilder out, String title, String prefix, ConfigSchema schema) {
    out.append("### ").append(title).append("\n\n");
    out.append("| Field | Type | Required | Default | Allowed values | Description |\n");
    out.append("| --- | --- | --- | --- | --- | --- |\n");
    for (ConfigField field : schema.fields()) {
      out.append(row(prefix + field.name(), field));
    }
    for (ConfigSchema.ExactlyOne group : schema.exactlyOne()) {
      out.append("\nExactly one of ")
          .append(codes(group.names()))
          .append(group.when() == null ? "" : " when " + group.when())
          .append(".\n");
    }
    out.append('\n');
    for (ConfigField field : schema.fields()) {
      if (field.schema() != null) {
        String path = prefix + field.name() + (field.type() == ConfigType.OBJECT_LIST ? "[]" : "");
        section(out, "`" + path + "`", path + ".", field.schema());
      }
    }
  }

  private static String row(String path, ConfigField field) {
    List<String> cells = new ArrayList<>();
    cells.add("`" + path + "`");
    cells.add(field.type().displayName());
    cells.add(required(field));
    cells.add(
        field.defaultValue() == null
            ? ""
            : field.defaultValue().isEmpty() ? "`\"\"`" : "`" + field.defaultValue() + "`");
    cells.add(field.allowed().isEmpty() ? "" : codes(field.allowed()));
    cells.add(description(field));
    return "| " + String.join(" | ", cells.stream().map(ConfigDocs::escape).toList()) + " |\n";
  }

  private static String required(ConfigField field) {
    if (field.required()) {
      return field.onlyWhen() == null ? "yes" : "when " + field.onlyWhen();
    }
    return field.requiredWhen() == null ? "no" : "when " + field.requiredWhen();
  }

  private static String description(ConfigField field) {
    String text = field.doc();
    if (field.check() != null) {
      text += " Must be " + field.check().description() + ".";
    }
    if (field.onlyWhen() != null) {
      text += " Only when " + field.onlyWhen() + ".";
    }
    return text;
  }

  private static String codes(List<String> values) {
    return String.join(", ", values.stream().map(value -> "`" + value + "`").toList());
  }

  private static String escape(String cell) {
    return cell.replace("|", "\\|");
  }
}
