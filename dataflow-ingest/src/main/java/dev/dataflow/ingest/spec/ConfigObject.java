package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;

/**
 * The validated fields of one YAML mapping, with where each was written. Absent fields answer with
 * their declared default, so callers never repeat a default.
 */
public final class ConfigObject {
  /**
   * A present field: its converted value and the marks of its key and value. The value is null when
   * it was written empty, or when it was wrong ({@code invalid}, and reported already).
   */
  record Entry(Object value, Mark keyMark, Mark valueMark, boolean invalid) {}

  private final ConfigSchema schema;
  private final String path;
  private final Mark anchor;
  private final Map<String, Entry> entries;

  ConfigObject(ConfigSchema schema, String path, Mark anchor, Map<String, Entry> entries) {
    this.schema = requireNonNull(schema, "schema is null");
    this.path = requireNonNull(path, "path is null");
    this.anchor = anchor;
    this.entries = Map.copyOf(entries);
  }

  public String path() {
    return path;
  }

  /** The path of a field of this object. */
  public String path(String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Where this object was introduced: its key, or its first line for a list item or the file. */
  public Mark anchor() {
    return anchor;
  }

  /**
   * Where field {@code name} was written (its value), or this object's anchor when it is absent.
   */
  public Mark mark(String name) {
    Entry entry = entries.get(name);
    return entry == null ? anchor : entry.valueMark();
  }

  Entry entry(String name) {
    return entries.get(name);
  }

  public boolean has(String name) {
    Entry entry = entries.get(name);
    return entry != null && entry.value() != null;
  }

  /** The value as YAML text: the written scalar, else the default; null when neither. */
  public String text(String name) {
    Object value = has(name) ? entries.get(name).value() : null;
    if (value == null) {
      return field(name).defaultValue();
    }
    return value instanceof Secret secret ? secret.reveal() : value.toString();
  }

  public String string(String name) {
    return (String) value(name);
  }

  public Secret secret(String name) {
    return (Secret) value(name);
  }

  public Integer integer(String name) {
    return (Integer) value(name);
  }

  public Double number(String name) {
    return (Double) value(name);
  }

  public Boolean bool(String name) {
    return (Boolean) value(name);
  }

  public Duration duration(String name) {
    return (Duration) value(name);
  }

  @SuppressWarnings("unchecked")
  public List<String> strings(String name) {
    return has(name) ? (List<String>) value(name) : List.of();
  }

  @SuppressWarnings("unchecked")
  public Map<String, String> map(String name) {
    return has(name) ? (Map<String, String>) value(name) : Map.of();
  }

  /** The nested object, or an empty one (so its defaults apply) when absent. */
  public ConfigObject object(String name) {
    ConfigField field = field(name);
    return has(name)
        ? (ConfigObject) value(name)
        : new ConfigObject(field.schema(), path(name), anchor, Map.of());
  }

  @SuppressWarnings("unchecked")
  public List<ConfigObject> objects(String name) {
    return has(name) ? (List<ConfigObject>) value(name) : List.of();
  }

  private Object value(String name) {
    ConfigField field = field(name);
    if (has(name)) {
      return entries.get(name).value();
    }
    return field.defaultValue() == null ? null : Scalars.parse(field.type(), field.defaultValue());
  }

  ConfigField field(String name) {
    ConfigField field = schema.field(name);
    if (field == null) {
      throw new IllegalArgumentException("no field " + name + " at " + path);
    }
    return field;
  }
}
