package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DatasetPath;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A validated pipeline definition, as read from one YAML file by {@link PipelineSpecs#parse}.
 * Defaults are applied; optional parts that have no default are null.
 *
 * @param destinations one entry with a null {@code when} for {@code destination:}, else the routes
 *     in order
 * @param schedule the batch interval, or null to run only when triggered
 * @param source the file this was read from
 * @param publish where the batches' rows are also published, or null
 */
public record PipelineSpec(
    String name,
    String description,
    Origin origin,
    List<Transform> transforms,
    Constraints constraints,
    List<Destination> destinations,
    ErrorPolicy errors,
    Mode mode,
    Duration schedule,
    Commit commit,
    Path source,
    Publish publish) {
  public PipelineSpec {
    requireNonNull(name, "name is null");
    requireNonNull(origin, "origin is null");
    transforms = List.copyOf(transforms);
    requireNonNull(constraints, "constraints is null");
    destinations = List.copyOf(destinations);
    requireNonNull(errors, "errors is null");
    requireNonNull(mode, "mode is null");
    requireNonNull(commit, "commit is null");
  }

  /**
   * Whether a batch's {@code input} is read once, by the write: no stage, no constraint, nothing
   * published, one destination that is not merged (a merge reads its rows more than once). A reader
   * may then leave {@code input} a view over what it read instead of a copy.
   */
  public boolean readsInputOnce() {
    return transforms.isEmpty()
        && constraints.notNull().isEmpty()
        && constraints.checks().isEmpty()
        && publish == null
        && destinations.size() == 1
        && destinations.get(0).mode() != WriteMode.MERGE;
  }

  public enum Mode {
    BATCH,
    CONTINUOUS
  }

  public enum Format {
    CSV,
    JSON,
    PARQUET
  }

  public enum WriteMode {
    APPEND,
    OVERWRITE,
    MERGE
  }

  public enum SchemaChanges {
    EVOLVE,
    FAIL
  }

  public enum Policy {
    TABLE,
    STOP,
    MAX_RATIO
  }

  /** Where rows come from; one record per origin type. */
  public sealed interface Origin
      permits FilesOrigin, JdbcOrigin, HttpOrigin, CdcOrigin, KafkaOrigin {}

  /**
   * @param location an absolute {@code file:} URI, or the {@code s3://bucket/prefix} as written
   * @param csv the CSV dialect, or null when the format is not CSV
   * @param columns declared column types in file order; empty = all inferred
   * @param s3 how to reach the store of an {@code s3://} location, or null (defaults)
   */
  public record FilesOrigin(
      URI location,
      String glob,
      Format format,
      CsvOptions csv,
      Map<String, String> columns,
      S3Options s3)
      implements Origin {
    public FilesOrigin {
      requireNonNull(location, "location is null");
      requireNonNull(format, "format is null");
      columns = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(columns));
    }
  }

  /**
   * @param endpoint an S3-compatible endpoint, or null for AWS
   * @param accessKeyId with {@code secretAccessKey}, or both null for the default credentials
   */
  public record S3Options(
      String endpoint, String region, Secret accessKeyId, Secret secretAccessKey) {
    public S3Options {
      requireNonNull(region, "region is null");
    }
  }

  public record CsvOptions(
      boolean header, char delimiter, char quote, char escape, String nullString) {}

  /**
   * Exactly one of {@code table} and {@code query} is set.
   *
   * @param cursor the incremental column, or null for full reads
   * @param split parallel reads by key range (or, with no column, by a PostgreSQL table's pages),
   *     or null for one stream
   */
  public record JdbcOrigin(
      String url,
      String user,
      Secret password,
      String table,
      String query,
      Cursor cursor,
      Split split)
      implements Origin {
    public JdbcOrigin {
      requireNonNull(url, "url is null");
    }
  }

  public record Cursor(String column) {}

  public record Split(String column, int parallelism) {}

  public record HttpOrigin(int maxPendingRows) implements Origin {}

  /**
   * Change data capture from a database's log (PostgreSQL logical replication).
   *
   * @param slot the replication slot, or null for {@code dataflow_<pipeline>}
   * @param publication the publication, or null for {@code dataflow_<pipeline>}
   * @param changelog keep every change (with its operation and source time) instead of applying
   *     changes by key
   * @param snapshot read the table's current rows first
   * @param heartbeatInterval how often a PostgreSQL stream confirms its position without changes,
   *     or null for never
   * @param heartbeatQuery a statement run at the source at each heartbeat, or null
   */
  public record CdcOrigin(
      String url,
      String user,
      Secret password,
      String table,
      String slot,
      String publication,
      boolean changelog,
      Snapshot snapshot,
      Duration heartbeatInterval,
      String heartbeatQuery)
      implements Origin {
    public CdcOrigin {
      requireNonNull(url, "url is null");
      requireNonNull(table, "table is null");
      requireNonNull(snapshot, "snapshot is null");
    }

    /**
     * When a cdc origin reads the table's rows as they are: first only, never (only changes), or
     * first and again whenever the position committed last is gone from the source.
     */
    public enum Snapshot {
      INITIAL,
      NEVER,
      WHEN_NEEDED
    }
  }

  /**
   * JSON messages of a Kafka topic, read by a consumer group so that several workers share its
   * partitions.
   *
   * @param group the consumer group, or null for {@code dataflow_<pipeline>}
   */
  public record KafkaOrigin(String bootstrapServers, String topic, String group) implements Origin {
    public KafkaOrigin {
      requireNonNull(bootstrapServers, "bootstrapServers is null");
      requireNonNull(topic, "topic is null");
    }
  }

  public record Transform(String name, String sql) {}

  public record Constraints(List<String> notNull, List<Check> checks) {
    public Constraints {
      notNull = List.copyOf(notNull);
      checks = List.copyOf(checks);
    }
  }

  public record Check(String name, String sql) {}

  /**
   * @param when the routing condition, or null for the single destination
   * @param compression the table's Parquet codec, or null to leave it as it is (zstd when new)
   */
  public record Destination(
      String when,
      DatasetPath table,
      WriteMode mode,
      List<String> key,
      List<String> partitionBy,
      SchemaChanges schemaChanges,
      String compression) {
    public Destination {
      requireNonNull(table, "table is null");
      key = List.copyOf(key);
      partitionBy = List.copyOf(partitionBy);
    }
  }

  /**
   * @param maxRatio set only for {@link Policy#MAX_RATIO}
   */
  public record ErrorPolicy(Policy policy, Double maxRatio, DatasetPath table) {}

  /**
   * When a pipeline commits, and when a continuous one compacts its destination tables.
   *
   * @param compactMinFiles the number of small data files that makes a table worth compacting
   * @param keepSnapshots how long a continuous pipeline keeps its tables' snapshots
   */
  public record Commit(
      int maxRows,
      Duration maxInterval,
      Duration compactInterval,
      int compactMinFiles,
      Duration keepSnapshots) {}

  /**
   * A Kafka topic that receives each batch's rows as JSON objects.
   *
   * @param key the column whose value keys the messages, or null
   */
  public record Publish(String bootstrapServers, String topic, String key) {
    public Publish {
      requireNonNull(bootstrapServers, "bootstrapServers is null");
      requireNonNull(topic, "topic is null");
    }
  }
}
