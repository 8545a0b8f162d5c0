package dev.dataflow.ingest.spec;

import static dev.dataflow.ingest.spec.Condition.when;
import static dev.dataflow.ingest.spec.ConfigField.object;
import static dev.dataflow.ingest.spec.ConfigField.objects;
import static dev.dataflow.ingest.spec.ConfigField.of;
import static dev.dataflow.ingest.spec.ConfigType.BOOLEAN;
import static dev.dataflow.ingest.spec.ConfigType.DOUBLE;
import static dev.dataflow.ingest.spec.ConfigType.DURATION;
import static dev.dataflow.ingest.spec.ConfigType.INT;
import static dev.dataflow.ingest.spec.ConfigType.SECRET;
import static dev.dataflow.ingest.spec.ConfigType.STRING;
import static dev.dataflow.ingest.spec.ConfigType.STRING_LIST;
import static dev.dataflow.ingest.spec.ConfigType.STRING_MAP;

import dev.dataflow.api.DatasetPath;
import java.time.Duration;
import java.util.List;

/**
 * The declaration of a pipeline file: the single source of its validation and its reference docs.
 */
public final class PipelineSchema {
  static final ValueCheck NAME =
      ValueCheck.of(
          "a name matching [a-z][a-z0-9_]* of at most 64 characters",
          value -> ((String) value).matches("[a-z][a-z0-9_]{0,63}"));
  static final ValueCheck STAGE =
      ValueCheck.of(
          "a name matching [a-z][a-z0-9_]* other than 'input'",
          value -> ((String) value).matches("[a-z][a-z0-9_]*") && !value.equals("input"));
  static final ValueCheck DATASET =
      ValueCheck.of("a dataset path space[.folder].name", PipelineSchema::isDatasetPath);
  static final ValueCheck LOCATION =
      ValueCheck.of(
          "a directory path or s3://bucket/prefix",
          value ->
              !((String) value).isBlank()
                  && (!value.toString().contains("://") || value.toString().startsWith("s3://")));
  static final ValueCheck JDBC_URL =
      ValueCheck.of(
          "a JDBC URL starting with jdbc:", value -> ((String) value).startsWith("jdbc:"));
  static final ValueCheck CHARACTER =
      ValueCheck.of("a single character", value -> ((String) value).length() == 1);
  static final ValueCheck POSITIVE = ValueCheck.of("greater than zero", PipelineSchema::isPositive);
  static final ValueCheck AT_LEAST_TWO =
      ValueCheck.of("at least 2", value -> ((Number) value).intValue() >= 2);
  static final ValueCheck RATIO =
      ValueCheck.of(
          "a ratio r with 0 < r <= 1", value -> (Double) value > 0 && (Double) value <= 1);
  static final ValueCheck NON_EMPTY =
      ValueCheck.of("a non-empty list", value -> !((List<?>) value).isEmpty());

  static final ConfigSchema CSV =
      ConfigSchema.of(
          of("header", BOOLEAN, "Whether the first line names the columns.").withDefault("true"),
          of("delimiter", STRING, "The character between fields.")
              .withDefault(",")
              .withCheck(CHARACTER),
          of("quote", STRING, "The character that quotes a field.")
              .withDefault("\"")
              .withCheck(CHARACTER),
          of("escape", STRING, "The character that escapes a quote inside a quoted field.")
              .withDefault("\"")
              .withCheck(CHARACTER),
          of("null_string", STRING, "The text that stands for SQL NULL.").withDefault(""));

  static final ConfigSchema CURSOR =
      ConfigSchema.of(
          of(
                  "column",
                  STRING,
                  "A number or timestamp column that grows with new rows; reads resume after its last "
                      + "committed value.")
              .asRequired());

  static final ConfigSchema SPLIT =
      ConfigSchema.of(
          of(
              "column",
              STRING,
              "A numeric key whose range is cut into slices read in parallel; leave it out to"
                  + " cut a PostgreSQL table by ranges of its pages, which each slice reads alone."),
          of("parallelism", INT, "How many slices are read at once.")
              .withDefault("4")
              .withCheck(POSITIVE));

  static final ConfigSchema S3 =
      ConfigSchema.of(
          of(
              "endpoint",
              STRING,
              "An S3-compatible endpoint URL (MinIO, S3Proxy…), addressed path-style; absent for AWS."),
          of("region", STRING, "The region of the bucket.").withDefault("us-east-1"),
          of(
              "access_key_id",
              SECRET,
              "The access key id; write ${env:NAME} to take it from the environment at run time. "
                  + "Absent: the AWS default credentials chain."),
          of(
              "secret_access_key",
              SECRET,
              "The secret access key, given with access_key_id; write ${env:NAME} to take it from "
                  + "the environment at run time."));

  static final ConfigSchema ORIGIN =
      ConfigSchema.of(
              of("type", STRING, "Where rows come from.")
                  .asRequired()
                  .withAllowed("files", "jdbc", "http", "cdc", "kafka"),
              of(
                      "path",
                      STRING,
                      "The directory to read; relative paths resolve against the pipeline file's directory.")
                  .asRequired()
                  .onlyWhen(when("type", "files"))
                  .withCheck(LOCATION),
              object("s3", S3, "How to reach the store of an s3:// path.")
                  .onlyWhen(when("type", "files")),
              of("glob", STRING, "Which files in the directory to read.")
                  .withDefault("*")
                  .onlyWhen(when("type", "files")),
              of("format", STRING, "The file format.")
                  .asRequired()
                  .withAllowed("csv", "json", "parquet")
                  .onlyWhen(when("type", "files")),
              object("csv", CSV, "CSV dialect; defaults apply when absent.")
                  .onlyWhen(when("format", "csv")),
              of(
                      "columns",
                      STRING_MAP,
                      "Declared column types (DuckDB type names); absent columns are inferred.")
                  .onlyWhen(when("type", "files")),
              of("url", STRING, "The JDBC URL of the database.")
                  .asRequired()
                  .onlyWhen(when("type", "jdbc", "cdc"))
                  .withCheck(JDBC_URL),
              of("user", STRING, "The database user.").onlyWhen(when("type", "jdbc", "cdc")),
              of(
                      "password",
                      SECRET,
                      "The password; write ${env:NAME} to take it from the environment at run time.")
                  .onlyWhen(when("type", "jdbc", "cdc")),
              of(
                      "table",
                      STRING,
                      "The table to read (schema.table; for MySQL/MariaDB database.table, or the"
                          + " table of the url's database).")
                  .onlyWhen(when("type", "jdbc", "cdc"))
                  .requiredWhen(when("type", "cdc")),
              of("query", STRING, "A SELECT to read instead of a table.")
                  .onlyWhen(when("type", "jdbc")),
              object(
                      "cursor",
                      CURSOR,
                      "Read incrementally: only rows past the last committed cursor value.")
                  .onlyWhen(when("type", "jdbc")),
              object("split", SPLIT, "Read in parallel by key or page range.")
                  .onlyWhen(when("type", "jdbc")),
              of("slot", STRING, "PostgreSQL's replication slot; default dataflow_<pipeline name>.")
                  .onlyWhen(when("type", "cdc"))
                  .withCheck(NAME),
              of(
                      "publication",
                      STRING,
                      "PostgreSQL's publication; default dataflow_<pipeline name>.")
                  .onlyWhen(when("type", "cdc"))
                  .withCheck(NAME),
              of(
                      "changelog",
                      BOOLEAN,
                      "Append every change with __op, __source_ts and __lsn instead of applying "
                          + "changes by key.")
                  .withDefault("false")
                  .onlyWhen(when("type", "cdc")),
              of(
                      "snapshot",
                      STRING,
                      "Read the table's current rows first, or only new changes; when_needed also"
                          + " loads the table anew (emptied first) when the position committed"
                          + " last is gone from the source (a purged binlog, a dropped or lost"
                          + " slot), where initial fails the run.")
                  .withDefault("initial")
                  .withAllowed("initial", "never", "when_needed")
                  .onlyWhen(when("type", "cdc")),
              of(
                      "heartbeat_interval",
                      DURATION,
                      "PostgreSQL: how often the stream confirms its position while the table has"
                          + " no change, so that an idle table in a busy database does not hold"
                          + " WAL; absent: never.")
                  .onlyWhen(when("type", "cdc"))
                  .withCheck(POSITIVE),
              of(
                      "heartbeat_query",
                      STRING,
                      "PostgreSQL: a statement run at the source at each heartbeat, which moves the"
                          + " position where other tables' changes do not reach the stream, e.g."
                          + " SELECT pg_logical_emit_message(false, 'heartbeat', now()::text).")
                  .onlyWhen(when("type", "cdc")),
              of("bootstrap_servers", STRING, "The Kafka brokers to start from (host:port,...).")
                  .asRequired()
                  .onlyWhen(when("type", "kafka")),
              of("topic", STRING, "The topic to read; its messages are JSON objects.")
                  .asRequired()
                  .onlyWhen(when("type", "kafka")),
              of(
                      "group",
                      STRING,
                      "The consumer group; workers in one group share the topic's partitions."
                          + " Default dataflow_<pipeline name>.")
                  .onlyWhen(when("type", "kafka")),
              of(
                      "max_pending_rows",
                      INT,
                      "Backpressure bound: rows accepted but not yet committed.")
                  .withDefault("100000")
                  .withCheck(POSITIVE)
                  .onlyWhen(when("type", "http")))
          .withExactlyOne(when("type", "jdbc"), "table", "query");

  static final ConfigSchema TRANSFORM =
      ConfigSchema.of(
          of("name", STRING, "The stage name; later stages and the destination read it as a table.")
              .asRequired()
              .withCheck(STAGE),
          of("sql", STRING, "DuckDB SQL over `input` and earlier stages.").asRequired());

  static final ConfigSchema CHECK =
      ConfigSchema.of(
          of("name", STRING, "The check's name, shown in error records.")
              .asRequired()
              .withCheck(NAME),
          of("sql", STRING, "A SQL condition every row must satisfy.").asRequired());

  static final ConfigSchema CONSTRAINTS =
      ConfigSchema.of(
          of("not_null", STRING_LIST, "Columns that must not be NULL."),
          objects("checks", CHECK, "Row conditions; failing rows go to the error policy."));

  static final ConfigSchema DESTINATION =
      ConfigSchema.of(
          of("table", STRING, "The dataset to write.").asRequired().withCheck(DATASET),
          of("mode", STRING, "How rows are written.")
              .withDefault("append")
              .withAllowed("append", "overwrite", "merge"),
          of("key", STRING_LIST, "The columns that identify a row for merge.")
              .requiredWhen(when("mode", "merge"))
              .withCheck(NON_EMPTY),
          of("partition_by", STRING_LIST, "Partition expressions such as day(ordered_at)."),
          of("schema_changes", STRING, "What a new or changed source column does.")
              .withDefault("evolve")
              .withAllowed("evolve", "fail"),
          of(
                  "compression",
                  STRING,
                  "The Parquet codec of the table's data files (its Iceberg property"
                      + " write.parquet.compression-codec); unset, a new table gets Iceberg's zstd"
                      + " and an existing one keeps its own. snappy writes faster, larger files.")
              .withAllowed("zstd", "snappy", "gzip", "lz4", "uncompressed"));

  static final ConfigSchema ROUTE =
      ConfigSchema.of(
              of("when", STRING, "A SQL condition selecting the rows for this destination.")
                  .asRequired())
          .plus(DESTINATION);

  static final ConfigSchema ERRORS =
      ConfigSchema.of(
          of(
                  "policy",
                  STRING,
                  "What a bad row does: go to the error table, stop the run, or stop past a ratio.")
              .withDefault("table")
              .withAllowed("table", "stop", "max_ratio"),
          of("max_ratio", DOUBLE, "The share of bad rows that stops a run.")
              .asRequired()
              .onlyWhen(when("policy", "max_ratio"))
              .withCheck(RATIO),
          of(
                  "table",
                  STRING,
                  "The error table; default: the (first) destination table's path + _errors.")
              .withCheck(DATASET));

  /**
   * Rows per commit of files and jdbc origins unless the file says: each commit writes a Parquet
   * file per destination and makes an Iceberg commit, a fixed cost that at 100 000 rows slowed a 6
   * M-row PostgreSQL load to 0.56 of COPY's rate, against about 0.84 at a million
   * (bench/README.md).
   */
  static final int BULK_MAX_ROWS = 1_000_000;

  /** Rows per commit of the streams (http, kafka, cdc) unless the file says. */
  static final int STREAM_MAX_ROWS = 100_000;

  static final ConfigSchema COMMIT =
      ConfigSchema.of(
          of(
                  "max_rows",
                  INT,
                  "Commit after this many rows. Default: "
                      + BULK_MAX_ROWS
                      + " for files and jdbc origins (data at rest, loaded in bulk), "
                      + STREAM_MAX_ROWS
                      + " for the streams (http, kafka, cdc).")
              .withCheck(POSITIVE),
          of("max_interval", DURATION, "Commit at least this often.")
              .withDefault("10s")
              .withCheck(POSITIVE),
          of(
                  "compact_interval",
                  DURATION,
                  "A continuous pipeline compacts its destination tables' small files at most this"
                      + " often, between two of its commits.")
              .withDefault("1m")
              .withCheck(POSITIVE),
          of(
                  "compact_min_files",
                  INT,
                  "Compact a destination table once it has this many data files under 32 MB.")
              .withDefault("16")
              .withCheck(AT_LEAST_TWO),
          of(
                  "keep_snapshots",
                  DURATION,
                  "A continuous pipeline expires its destination tables' snapshots older than this"
                      + " (time travel reaches back this far), in the same rounds as compaction;"
                      + " the snapshots that hold its offsets stay.")
              .withDefault("1h")
              .withCheck(POSITIVE));

  static final ConfigSchema PUBLISH =
      ConfigSchema.of(
          of("bootstrap_servers", STRING, "The Kafka brokers to start from (host:port,...).")
              .asRequired(),
          of("topic", STRING, "The topic that receives each row as a JSON object.").asRequired(),
          of("key", STRING, "The column whose value keys the messages (one key keeps its order)."));

  /** The whole pipeline file. */
  public static final ConfigSchema PIPELINE =
      ConfigSchema.of(
              of("name", STRING, "The pipeline's name.").asRequired().withCheck(NAME),
              of("description", STRING, "What the pipeline is for."),
              object("origin", ORIGIN, "Where rows come from.").asRequired(),
              objects("transforms", TRANSFORM, "SQL stages applied in order."),
              object("constraints", CONSTRAINTS, "Rules rows must satisfy."),
              object("destination", DESTINATION, "Where rows go."),
              objects("destinations", ROUTE, "Where rows go, routed by condition.")
                  .withCheck(NON_EMPTY),
              object("errors", ERRORS, "What happens to rows that fail."),
              of("mode", STRING, "Run once per trigger, or keep running.")
                  .withDefault("batch")
                  .withAllowed("batch", "continuous"),
              of("schedule", DURATION, "Run every interval.")
                  .onlyWhen(when("mode", "batch"))
                  .withCheck(POSITIVE),
              object("commit", COMMIT, "When written rows are committed."),
              object(
                  "publish",
                  PUBLISH,
                  "Also publish each batch's rows to a Kafka topic, as JSON (at least once)."))
          .withExactlyOne(null, "destination", "destinations");

  private PipelineSchema() {}

  private static boolean isDatasetPath(Object value) {
    try {
      return DatasetPath.parse((String) value).parts().size() >= 2;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static boolean isPositive(Object value) {
    if (value instanceof Duration duration) {
      return !duration.isZero() && !duration.isNegative();
    }
    return ((Number) value).doubleValue() > 0;
  }
}
