package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The fields of one YAML mapping, in the order they are documented, plus groups of which exactly
 * one must be given. Plays the part of Kafka Connect's {@code ConfigDef}.
 */
public final class ConfigSchema {
  /** Exactly one of {@code names} must be present, when {@code when} holds (null = always). */
  public record ExactlyOne(List<String> names, Condition when) {
    public ExactlyOne {
      names = List.copyOf(names);
    }
  }

  private final List<ConfigField> fields;
  private final Map<String, ConfigField> byName;
  private final List<ExactlyOne> exactlyOne;

  private ConfigSchema(List<ConfigField> fields, List<ExactlyOne> exactlyOne) {
    this.fields = List.copyOf(fields);
    this.byName =
        fields.stream()
            .collect(Collectors.toUnmodifiableMap(ConfigField::name, Function.identity()));
    this.exactlyOne = List.copyOf(exactlyOne);
  }

  public static ConfigSchema of(ConfigField... fields) {
    return new ConfigSchema(List.of(fields), List.of());
  }

  /** This schema with {@code more} fields appended; lets a variant reuse a base declaration. */
  public ConfigSchema plus(ConfigSchema more) {
    List<ConfigField> all = new ArrayList<>(fields);
    all.addAll(more.fields);
    List<ExactlyOne> groups = new ArrayList<>(exactlyOne);
    groups.addAll(more.exactlyOne);
    return new ConfigSchema(all, groups);
  }

  public ConfigSchema withExactlyOne(Condition when, String... names) {
    for (String name : names) {
      requireNonNull(byName.get(name), () -> "no field " + name);
    }
    List<ExactlyOne> groups = new ArrayList<>(exactlyOne);
    groups.add(new ExactlyOne(List.of(names), when));
    return new ConfigSchema(fields, groups);
  }

  public List<ConfigField> fields() {
    return fields;
  }

  /** The field called {@code name}, or null. */
  public ConfigField field(String name) {
    return byName.get(name);
  }

  public List<String> names() {
    return fields.stream().map(ConfigField::name).toList();
  }

  public List<ExactlyOne> exactlyOne() {
    return exactlyOne;
  }

  /**
   * Every field path, nested ones dotted and list items marked {@code []}, in documentation order.
   */
  public List<String> paths() {
    List<String> out = new ArrayList<>();
    collectPaths("", out);
    return List.copyOf(out);
  }

  private void collectPaths(String prefix, List<String> out) {
    for (ConfigField field : fields) {
      String path = prefix + field.name();
      out.add(path);
      if (field.schema() != null) {
        field
            .schema()
            .collectPaths(path + (field.type() == ConfigType.OBJECT_LIST ? "[]." : "."), out);
      }
    }
  }
}
