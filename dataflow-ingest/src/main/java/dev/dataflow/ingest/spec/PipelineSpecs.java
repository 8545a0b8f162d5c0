package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.Check;
import dev.dataflow.ingest.spec.PipelineSpec.Commit;
import dev.dataflow.ingest.spec.PipelineSpec.Constraints;
import dev.dataflow.ingest.spec.PipelineSpec.CsvOptions;
import dev.dataflow.ingest.spec.PipelineSpec.Cursor;
import dev.dataflow.ingest.spec.PipelineSpec.Destination;
import dev.dataflow.ingest.spec.PipelineSpec.ErrorPolicy;
import dev.dataflow.ingest.spec.PipelineSpec.FilesOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.Format;
import dev.dataflow.ingest.spec.PipelineSpec.HttpOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.JdbcOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.KafkaOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.Mode;
import dev.dataflow.ingest.spec.PipelineSpec.Origin;
import dev.dataflow.ingest.spec.PipelineSpec.Policy;
import dev.dataflow.ingest.spec.PipelineSpec.Publish;
import dev.dataflow.ingest.spec.PipelineSpec.S3Options;
import dev.dataflow.ingest.spec.PipelineSpec.SchemaChanges;
import dev.dataflow.ingest.spec.PipelineSpec.Split;
import dev.dataflow.ingest.spec.PipelineSpec.Transform;
import dev.dataflow.ingest.spec.PipelineSpec.WriteMode;
import java.io.StringReader;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads pipeline files and documents their format. */
public final class PipelineSpecs {
  private PipelineSpecs() {}

  /**
   * Parses and validates one pipeline file.
   *
   * @param source the file the text came from: named in errors, and the base of relative origin
   *     paths
   * @throws InvalidPipelineException listing every problem found, each with its line and column
   */
  public static PipelineSpec parse(String yaml, Path source) {
    requireNonNull(yaml, "yaml is null");
    requireNonNull(source, "source is null");
    Problems problems = new Problems();
    ConfigObject root = read(yaml, problems);
    if (root != null) {
      checkUniqueNames(root.objects("transforms"), problems);
      checkUniqueNames(root.object("constraints").objects("checks"), problems);
      checkS3(root.object("origin"), problems);
    }
    if (!problems.isEmpty()) {
      throw new InvalidPipelineException(source, problems.sorted());
    }
    return build(root, source);
  }

  /**
   * The YAML text with every literal secret (each field declared {@link ConfigType#SECRET}: the
   * database password, the S3 keys) replaced by {@code ******}, so a definition can be shown;
   * {@code ${env:NAME}} references stay, and the rest is kept character for character. Text that
   * does not parse is returned as it is (it holds no valid secret field).
   */
  public static String redacted(String yaml) {
    requireNonNull(yaml, "yaml is null");
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
    } catch (YAMLException e) {
      return yaml;
    }
    List<ScalarNode> secrets = new ArrayList<>();
    collectSecrets(root, PipelineSchema.PIPELINE, secrets);
    // replaced from the end, so the earlier marks stay valid
    secrets.sort(Comparator.comparingInt((ScalarNode n) -> n.getStartMark().getIndex()).reversed());
    StringBuilder text = new StringBuilder(yaml);
    for (ScalarNode secret : secrets) {
      text.replace(secret.getStartMark().getIndex(), secret.getEndMark().getIndex(), "\"******\"");
    }
    return text.toString();
  }

  /** The literal (not reference) values of the secret fields under {@code node}. */
  private static void collectSecrets(Node node, ConfigSchema schema, List<ScalarNode> out) {
    if (!(node instanceof MappingNode mapping)) {
      return;
    }
    for (NodeTuple tuple : mapping.getValue()) {
      ConfigField field =
          tuple.getKeyNode() instanceof ScalarNode key ? schema.field(key.getValue()) : null;
      Node value = tuple.getValueNode();
      if (field == null) {
        continue;
      }
      if (field.type() == ConfigType.SECRET
          && value instanceof ScalarNode scalar
          && !Secret.of(scalar.getValue()).isReference()) {
        out.add(scalar);
      } else if (field.type() == ConfigType.OBJECT) {
        collectSecrets(value, field.schema(), out);
      } else if (field.type() == ConfigType.OBJECT_LIST && value instanceof SequenceNode items) {
        items.getValue().forEach(item -> collectSecrets(item, field.schema(), out));
      }
    }
  }

  /**
   * S3 settings apply to an s3:// path only, and static credentials need both keys; the schema's
   * conditions compare whole values, so these are checked here.
   */
  private static void checkS3(ConfigObject origin, Problems problems) {
    if (!origin.has("s3")) {
      return;
    }
    String path = origin.string("path");
    if (path != null && !path.startsWith("s3://")) {
      problems.add(
          origin.mark("s3"), origin.path("s3"), "only allowed when path is an s3://bucket/prefix");
    }
    ConfigObject s3 = origin.object("s3");
    if (s3.has("access_key_id") != s3.has("secret_access_key")) {
      String missing = s3.has("access_key_id") ? "secret_access_key" : "access_key_id";
      problems.add(
          s3.anchor(),
          s3.path(missing),
          "missing: access_key_id and secret_access_key are given together, or neither");
    }
  }

  /** The Markdown reference of every field a pipeline file may hold. */
  public static String describe() {
    return ConfigDocs.markdown(PipelineSchema.PIPELINE);
  }

  private static ConfigObject read(String yaml, Problems problems) {
    Node node;
    try {
      // compose, not load: the node tree keeps every position and builds no objects from tags.
      node = new Yaml(new LoaderOptions()).compose(new StringReader(yaml));
    } catch (MarkedYAMLException e) {
      String context = e.getContext() == null ? "" : e.getContext() + ": ";
      problems.add(e.getProblemMark(), "", "YAML syntax: " + context + e.getProblem());
      return null;
    } catch (YAMLException e) {
      problems.add(null, "", "YAML: " + e.getMessage());
      return null;
    }
    if (node == null) {
      problems.add(
          null, "", "the file is empty; a pipeline needs at least name, origin and destination");
      return null;
    }
    return new ConfigReader(problems).readRoot(node, PipelineSchema.PIPELINE);
  }

  /**
   * Stage and check names become table and column names downstream, so a repeat would be ambiguous.
   */
  private static void checkUniqueNames(List<ConfigObject> items, Problems problems) {
    Map<String, Integer> firstLine = new HashMap<>();
    for (ConfigObject item : items) {
      String name = item.string("name");
      if (name == null) {
        continue;
      }
      Integer line = firstLine.putIfAbsent(name, item.mark("name").getLine() + 1);
      if (line != null) {
        problems.add(
            item.mark("name"),
            item.path("name"),
            "duplicate name '" + name + "' (first at line " + line + ")");
      }
    }
  }

  private static PipelineSpec build(ConfigObject root, Path source) {
    Origin origin = origin(root.object("origin"), source);
    List<Destination> destinations =
        root.has("destination")
            ? List.of(destination(root.object("destination")))
            : root.objects("destinations").stream().map(PipelineSpecs::destination).toList();
    return new PipelineSpec(
        root.string("name"),
        root.string("description"),
        origin,
        root.objects("transforms").stream()
            .map(t -> new Transform(t.string("name"), t.string("sql")))
            .toList(),
        constraints(root.object("constraints")),
        destinations,
        errors(root.object("errors"), destinations.get(0).table()),
        enumValue(Mode.class, root.string("mode")),
        root.duration("schedule"),
        commit(root.object("commit"), origin),
        source,
        root.has("publish")
            ? new Publish(
                root.object("publish").string("bootstrap_servers"),
                root.object("publish").string("topic"),
                root.object("publish").string("key"))
            : null);
  }

  private static Commit commit(ConfigObject commit, Origin origin) {
    return new Commit(
        commit.has("max_rows") ? commit.integer("max_rows") : defaultMaxRows(origin),
        commit.duration("max_interval"),
        commit.duration("compact_interval"),
        commit.integer("compact_min_files"),
        commit.duration("keep_snapshots"));
  }

  /**
   * Rows per commit when the file does not say ({@link PipelineSchema#BULK_MAX_ROWS}): files and
   * database tables are data at rest, whose loads a fixed cost per commit would slow down; streams
   * commit smaller batches, so that their rows land soon.
   */
  static int defaultMaxRows(Origin origin) {
    return origin instanceof FilesOrigin || origin instanceof JdbcOrigin
        ? PipelineSchema.BULK_MAX_ROWS
        : PipelineSchema.STREAM_MAX_ROWS;
  }

  private static Origin origin(ConfigObject origin, Path source) {
    return switch (origin.string("type")) {
      case "files" -> files(origin, source);
      case "jdbc" -> jdbc(origin);
      case "cdc" -> cdc(origin);
      case "kafka" ->
          new KafkaOrigin(
              origin.string("bootstrap_servers"), origin.string("topic"), origin.string("group"));
      default -> new HttpOrigin(origin.integer("max_pending_rows"));
    };
  }

  private static FilesOrigin files(ConfigObject origin, Path source) {
    Format format = enumValue(Format.class, origin.string("format"));
    CsvOptions csv = format == Format.CSV ? csv(origin.object("csv")) : null;
    return new FilesOrigin(
        location(origin.string("path"), source),
        origin.string("glob"),
        format,
        csv,
        origin.map("columns"),
        origin.has("s3") ? s3(origin.object("s3")) : null);
  }

  private static S3Options s3(ConfigObject s3) {
    return new S3Options(
        s3.string("endpoint"),
        s3.string("region"),
        s3.secret("access_key_id"),
        s3.secret("secret_access_key"));
  }

  private static URI location(String path, Path source) {
    if (path.startsWith("s3://")) {
      return URI.create(path);
    }
    Path base = source.toAbsolutePath().getParent();
    return base.resolve(path).normalize().toUri();
  }

  private static CsvOptions csv(ConfigObject csv) {
    return new CsvOptions(
        csv.bool("header"),
        csv.string("delimiter").charAt(0),
        csv.string("quote").charAt(0),
        csv.string("escape").charAt(0),
        csv.string("null_string"));
  }

  private static JdbcOrigin jdbc(ConfigObject origin) {
    Cursor cursor =
        origin.has("cursor") ? new Cursor(origin.object("cursor").string("column")) : null;
    ConfigObject split = origin.object("split");
    return new JdbcOrigin(
        origin.string("url"),
        origin.string("user"),
        origin.secret("password"),
        origin.string("table"),
        origin.string("query"),
        cursor,
        origin.has("split")
            ? new Split(split.string("column"), split.integer("parallelism"))
            : null);
  }

  private static CdcOrigin cdc(ConfigObject origin) {
    return new CdcOrigin(
        origin.string("url"),
        origin.string("user"),
        origin.secret("password"),
        origin.string("table"),
        origin.string("slot"),
        origin.string("publication"),
        origin.bool("changelog"),
        enumValue(CdcOrigin.Snapshot.class, origin.string("snapshot")),
        origin.duration("heartbeat_interval"),
        origin.string("heartbeat_query"));
  }

  private static Constraints constraints(ConfigObject constraints) {
    return new Constraints(
        constraints.strings("not_null"),
        constraints.objects("checks").stream()
            .map(c -> new Check(c.string("name"), c.string("sql")))
            .toList());
  }

  private static Destination destination(ConfigObject destination) {
    String when = destination.path().startsWith("destinations") ? destination.string("when") : null;
    return new Destination(
        when,
        DatasetPath.parse(destination.string("table")),
        enumValue(WriteMode.class, destination.string("mode")),
        destination.strings("key"),
        destination.strings("partition_by"),
        enumValue(SchemaChanges.class, destination.string("schema_changes")),
        destination.has("compression") ? destination.string("compression") : null);
  }

  private static ErrorPolicy errors(ConfigObject errors, DatasetPath destination) {
    DatasetPath table =
        errors.has("table")
            ? DatasetPath.parse(errors.string("table"))
            : new DatasetPath(destination.parent()).child(destination.name() + "_errors");
    return new ErrorPolicy(
        enumValue(Policy.class, errors.string("policy")), errors.number("max_ratio"), table);
  }

  private static <E extends Enum<E>> E enumValue(Class<E> type, String text) {
    return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
  }
}
