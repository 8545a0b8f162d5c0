package dev.dataflow.ingest.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Walks a composed YAML node tree against a {@link ConfigSchema}. It never stops at the first
 * problem: each one is recorded with its position and the walk goes on, so a user fixes a file in
 * one pass.
 */
final class ConfigReader {
  private final Problems problems;

  ConfigReader(Problems problems) {
    this.problems = problems;
  }

  /** The root object, or null when the document is not a mapping. */
  ConfigObject readRoot(Node root, ConfigSchema schema) {
    if (!(root instanceof MappingNode mapping)) {
      problems.add(
          root.getStartMark(),
          "",
          "expected a mapping of fields ("
              + String.join(", ", schema.names())
              + "), found "
              + describe(root));
      return null;
    }
    return readObject(mapping, schema, "", root.getStartMark());
  }

  private ConfigObject readObject(MappingNode node, ConfigSchema schema, String path, Mark anchor) {
    Map<String, ConfigObject.Entry> entries = new LinkedHashMap<>();
    for (NodeTuple tuple : node.getValue()) {
      readEntry(tuple, schema, path, entries);
    }
    ConfigObject object = new ConfigObject(schema, path, anchor, entries);
    for (ConfigField field : schema.fields()) {
      checkPresence(object, field);
    }
    for (ConfigSchema.ExactlyOne group : schema.exactlyOne()) {
      checkExactlyOne(object, group);
    }
    return object;
  }

  private void readEntry(
      NodeTuple tuple, ConfigSchema schema, String path, Map<String, ConfigObject.Entry> entries) {
    Node keyNode = tuple.getKeyNode();
    if (!(keyNode instanceof ScalarNode key)) {
      problems.add(
          keyNode.getStartMark(),
          path,
          "a field name must be a plain word, found " + describe(keyNode));
      return;
    }
    String name = key.getValue();
    ConfigField field = schema.field(name);
    if (field == null) {
      problems.add(key.getStartMark(), path, unknownField(name, schema));
    } else if (entries.containsKey(name)) {
      problems.add(
          key.getStartMark(),
          path,
          "field '"
              + name
              + "' is given twice (first at line "
              + (entries.get(name).keyMark().getLine() + 1)
              + ")");
    } else {
      String childPath = path.isEmpty() ? name : path + "." + name;
      Object value = read(field, tuple.getValueNode(), childPath, key.getStartMark());
      Node valueNode = tuple.getValueNode();
      boolean invalid = value == null && !isNull(valueNode);
      entries.put(
          name,
          new ConfigObject.Entry(value, key.getStartMark(), valueNode.getStartMark(), invalid));
    }
  }

  static String unknownField(String name, ConfigSchema schema) {
    String message =
        "unknown field '" + name + "'; valid fields here: " + String.join(", ", schema.names());
    String closest = Suggestions.closest(name, schema.names());
    return closest == null ? message : message + "; did you mean '" + closest + "'?";
  }

  /**
   * The converted value, or null when the node is empty or wrong (the latter recorded as a
   * problem).
   */
  private Object read(ConfigField field, Node node, String path, Mark keyMark) {
    if (isNull(node)) {
      return null;
    }
    Object value =
        switch (field.type()) {
          case STRING_LIST -> readStrings(node, path);
          case STRING_MAP -> readMap(node, path);
          case OBJECT ->
              node instanceof MappingNode mapping
                  ? readObject(mapping, field.schema(), path, keyMark)
                  : wrongKind(
                      node,
                      path,
                      "expected a mapping of fields ("
                          + String.join(", ", field.schema().names())
                          + ")");
          case OBJECT_LIST -> readObjects(field, node, path);
          default -> readScalar(field, node, path);
        };
    return value == null ? null : checked(field, value, node, path);
  }

  private Object checked(ConfigField field, Object value, Node node, String path) {
    if (!field.allowed().isEmpty() && !field.allowed().contains(value.toString())) {
      problems.add(
          node.getStartMark(),
          path,
          "'" + value + "' is not one of " + String.join(", ", field.allowed()));
      return null;
    }
    if (field.check() != null && !field.check().test().test(value)) {
      problems.add(
          node.getStartMark(), path, shown(value) + " is not " + field.check().description());
      return null;
    }
    return value;
  }

  private Object readScalar(ConfigField field, Node node, String path) {
    if (!(node instanceof ScalarNode scalar)) {
      return wrongKind(node, path, Scalars.expected(field.type()));
    }
    Object value = Scalars.parse(field.type(), scalar.getValue());
    if (value == null) {
      problems.add(
          node.getStartMark(),
          path,
          Scalars.expected(field.type()) + ", found '" + scalar.getValue() + "'");
    } else if (field.type() == ConfigType.SECRET
        && Secret.isMalformedReference(scalar.getValue())) {
      problems.add(
          node.getStartMark(),
          path,
          "a reference must be written ${env:NAME}; found a malformed one");
      return null;
    }
    return value;
  }

  private List<String> readStrings(Node node, String path) {
    if (!(node instanceof SequenceNode sequence)) {
      return wrongKind(node, path, "expected a list of strings such as [a, b]");
    }
    List<String> values = new ArrayList<>();
    for (int i = 0; i < sequence.getValue().size(); i++) {
      Node item = sequence.getValue().get(i);
      if (item instanceof ScalarNode scalar && !isNull(item)) {
        values.add(scalar.getValue());
      } else {
        wrongKind(item, path + "[" + i + "]", "expected a string");
      }
    }
    return List.copyOf(values);
  }

  private Map<String, String> readMap(Node node, String path) {
    if (!(node instanceof MappingNode mapping)) {
      return wrongKind(node, path, "expected a mapping of names to strings such as {a: b}");
    }
    Map<String, String> values = new LinkedHashMap<>();
    for (NodeTuple tuple : mapping.getValue()) {
      if (tuple.getKeyNode() instanceof ScalarNode key
          && tuple.getValueNode() instanceof ScalarNode value
          && !isNull(value)) {
        values.put(key.getValue(), value.getValue());
      } else {
        wrongKind(tuple.getValueNode(), path, "expected name: string pairs");
      }
    }
    // LinkedHashMap copied by hand: Map.copyOf would lose the order the user wrote the columns in.
    return java.util.Collections.unmodifiableMap(values);
  }

  private List<ConfigObject> readObjects(ConfigField field, Node node, String path) {
    if (!(node instanceof SequenceNode sequence)) {
      return wrongKind(
          node,
          path,
          "expected a list of mappings, each with " + String.join(", ", field.schema().names()));
    }
    List<ConfigObject> values = new ArrayList<>();
    for (int i = 0; i < sequence.getValue().size(); i++) {
      Node item = sequence.getValue().get(i);
      String itemPath = path + "[" + i + "]";
      if (item instanceof MappingNode mapping) {
        values.add(readObject(mapping, field.schema(), itemPath, item.getStartMark()));
      } else {
        wrongKind(
            item,
            itemPath,
            "expected a mapping of fields (" + String.join(", ", field.schema().names()) + ")");
      }
    }
    return List.copyOf(values);
  }

  private void checkPresence(ConfigObject object, ConfigField field) {
    if (!isDecidable(object, field.onlyWhen())) {
      return; // the field it depends on is missing or wrong, which is reported already
    }
    boolean applies = field.onlyWhen() == null || field.onlyWhen().test(object);
    ConfigObject.Entry entry = object.entry(field.name());
    if (entry != null && !applies) {
      problems.add(
          entry.keyMark(), object.path(field.name()), "only allowed when " + field.onlyWhen());
      return;
    }
    Condition requiredWhen = field.requiredWhen();
    boolean required =
        applies
            && (field.required()
                || (requiredWhen != null
                    && isDecidable(object, requiredWhen)
                    && requiredWhen.test(object)));
    if (!required || object.has(field.name()) || (entry != null && entry.invalid())) {
      return;
    }
    Condition because = requiredWhen != null ? requiredWhen : field.onlyWhen();
    String when = because == null ? "" : " (required when " + because + ")";
    if (entry == null) {
      problems.add(object.anchor(), object.path(field.name()), "required field is missing" + when);
    } else {
      problems.add(
          entry.keyMark(), object.path(field.name()), "required field has no value" + when);
    }
  }

  /** Whether a condition can be judged: its field has a valid value or a default. */
  private static boolean isDecidable(ConfigObject object, Condition condition) {
    if (condition == null) {
      return true;
    }
    ConfigObject.Entry entry = object.entry(condition.field());
    return (entry == null || !entry.invalid()) && object.text(condition.field()) != null;
  }

  private void checkExactlyOne(ConfigObject object, ConfigSchema.ExactlyOne group) {
    if (!isDecidable(object, group.when())
        || (group.when() != null && !group.when().test(object))) {
      return;
    }
    List<String> given = group.names().stream().filter(name -> object.entry(name) != null).toList();
    String names = String.join(", ", group.names());
    String when = group.when() == null ? "" : " when " + group.when();
    if (given.isEmpty()) {
      problems.add(object.anchor(), object.path(), "needs exactly one of " + names + when);
    } else if (given.size() > 1) {
      problems.add(
          object.entry(given.get(1)).keyMark(),
          object.path(),
          "give only one of " + names + when + ", not " + String.join(" and ", given));
    }
  }

  private <T> T wrongKind(Node node, String path, String expected) {
    problems.add(node.getStartMark(), path, expected + ", found " + describe(node));
    return null;
  }

  private static boolean isNull(Node node) {
    return node instanceof ScalarNode && node.getTag().equals(Tag.NULL);
  }

  private static String describe(Node node) {
    if (node instanceof MappingNode) {
      return "a mapping";
    }
    if (node instanceof SequenceNode) {
      return "a list";
    }
    return isNull(node) ? "nothing" : "'" + ((ScalarNode) node).getValue() + "'";
  }

  private static String shown(Object value) {
    return value instanceof ConfigObject || value instanceof List ? "the value" : "'" + value + "'";
  }
}
