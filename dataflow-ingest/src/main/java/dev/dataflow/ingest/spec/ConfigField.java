package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * One declared field: everything validation and documentation need to know about it. Immutable; the
 * {@code with…} methods return refined copies so a schema reads as a list of one-line declarations.
 *
 * @param defaultValue the default as it would be written in YAML, or null when there is none
 * @param schema the nested schema of an {@link ConfigType#OBJECT} or {@link ConfigType#OBJECT_LIST}
 * @param onlyWhen the field is allowed (and, if required, required) only when this holds; null =
 *     always
 * @param requiredWhen the field is required when this holds, and optional otherwise; null = never
 */
public record ConfigField(
    String name,
    ConfigType type,
    String doc,
    boolean required,
    String defaultValue,
    List<String> allowed,
    ValueCheck check,
    ConfigSchema schema,
    Condition onlyWhen,
    Condition requiredWhen) {
  public ConfigField {
    requireNonNull(name, "name is null");
    requireNonNull(type, "type is null");
    requireNonNull(doc, "doc is null");
    allowed = List.copyOf(requireNonNull(allowed, "allowed is null"));
  }

  public static ConfigField of(String name, ConfigType type, String doc) {
    return new ConfigField(name, type, doc, false, null, List.of(), null, null, null, null);
  }

  public static ConfigField object(String name, ConfigSchema schema, String doc) {
    return of(name, ConfigType.OBJECT, doc).withSchema(schema);
  }

  public static ConfigField objects(String name, ConfigSchema schema, String doc) {
    return of(name, ConfigType.OBJECT_LIST, doc).withSchema(schema);
  }

  public ConfigField asRequired() {
    return new ConfigField(
        name, type, doc, true, defaultValue, allowed, check, schema, onlyWhen, requiredWhen);
  }

  public ConfigField withDefault(String value) {
    return new ConfigField(
        name, type, doc, required, value, allowed, check, schema, onlyWhen, requiredWhen);
  }

  public ConfigField withAllowed(String... values) {
    return new ConfigField(
        name,
        type,
        doc,
        required,
        defaultValue,
        List.of(values),
        check,
        schema,
        onlyWhen,
        requiredWhen);
  }

  public ConfigField withCheck(ValueCheck value) {
    return new ConfigField(
        name, type, doc, required, defaultValue, allowed, value, schema, onlyWhen, requiredWhen);
  }

  public ConfigField withSchema(ConfigSchema value) {
    return new ConfigField(
        name, type, doc, required, defaultValue, allowed, check, value, onlyWhen, requiredWhen);
  }

  public ConfigField onlyWhen(Condition value) {
    return new ConfigField(
        name, type, doc, required, defaultValue, allowed, check, schema, value, requiredWhen);
  }

  public ConfigField requiredWhen(Condition value) {
    return new ConfigField(
        name, type, doc, required, defaultValue, allowed, check, schema, onlyWhen, value);
  }
}
