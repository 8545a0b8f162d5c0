package dev.dataflow.ingest.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec.CsvOptions;
import dev.dataflow.ingest.spec.PipelineSpec.Destination;
import dev.dataflow.ingest.spec.PipelineSpec.FilesOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.Format;
import dev.dataflow.ingest.spec.PipelineSpec.HttpOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.JdbcOrigin;
import dev.dataflow.ingest.spec.PipelineSpec.Mode;
import dev.dataflow.ingest.spec.PipelineSpec.Policy;
import dev.dataflow.ingest.spec.PipelineSpec.SchemaChanges;
import dev.dataflow.ingest.spec.PipelineSpec.WriteMode;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineSpecsTest {
  private static final Path SOURCE = Path.of("/projects/shop/pipelines/orders.yaml");

  static final String FILES =
      """
      name: orders_raw
      description: Orders from the shop's CSV exports
      origin:
        type: files
        path: ../data/orders
        glob: "*.csv"
        format: csv
        csv: {delimiter: ";", null_string: "NA"}
        columns: {order_id: BIGINT, email: VARCHAR, amount: "DECIMAL(12,2)", ordered_at: TIMESTAMP}
      transforms:
        - name: clean
          sql: SELECT * FROM input WHERE order_id IS NOT NULL
        - name: enriched
          sql: SELECT *, lower(email) AS email_lc FROM clean
      constraints:
        not_null: [order_id]
        checks:
          - {name: positive_amount, sql: "amount >= 0"}
      destination:
        table: raw.orders
        mode: merge
        key: [order_id]
        partition_by: ["day(ordered_at)"]
      errors:
        policy: max_ratio
        max_ratio: 0.05
      schedule: 5m
      """;

  @Test
  void filesPipelineParsesWithDefaults() {
    PipelineSpec spec = PipelineSpecs.parse(FILES, SOURCE);

    assertThat(spec.name()).isEqualTo("orders_raw");
    assertThat(spec.description()).isEqualTo("Orders from the shop's CSV exports");
    FilesOrigin origin = (FilesOrigin) spec.origin();
    assertThat(origin.location()).isEqualTo(URI.create("file:///projects/shop/data/orders"));
    assertThat(origin.glob()).isEqualTo("*.csv");
    assertThat(origin.format()).isEqualTo(Format.CSV);
    assertThat(origin.csv()).isEqualTo(new CsvOptions(true, ';', '"', '"', "NA"));
    assertThat(origin.columns())
        .containsExactly(
            entry("order_id", "BIGINT"),
            entry("email", "VARCHAR"),
            entry("amount", "DECIMAL(12,2)"),
            entry("ordered_at", "TIMESTAMP"));
    assertThat(spec.transforms())
        .extracting(PipelineSpec.Transform::name)
        .containsExactly("clean", "enriched");
    assertThat(spec.constraints().notNull()).containsExactly("order_id");
    assertThat(spec.constraints().checks())
        .containsExactly(new PipelineSpec.Check("positive_amount", "amount >= 0"));
    assertThat(spec.destinations())
        .containsExactly(
            new Destination(
                null,
                DatasetPath.of("raw", "orders"),
                WriteMode.MERGE,
                List.of("order_id"),
                List.of("day(ordered_at)"),
                SchemaChanges.EVOLVE,
                null));
    assertThat(spec.errors())
        .isEqualTo(
            new PipelineSpec.ErrorPolicy(
                Policy.MAX_RATIO, 0.05, DatasetPath.of("raw", "orders_errors")));
    assertThat(spec.mode()).isEqualTo(Mode.BATCH);
    assertThat(spec.schedule()).isEqualTo(Duration.ofMinutes(5));
    assertThat(spec.commit())
        .isEqualTo(
            new PipelineSpec.Commit(
                1_000_000, Duration.ofSeconds(10), Duration.ofMinutes(1), 16, Duration.ofHours(1)));
    assertThat(spec.source()).isEqualTo(SOURCE);
  }

  @Test
  void filesPipelineKeepsS3LocationsAndDropsCsvOptionsForOtherFormats() {
    PipelineSpec spec =
        PipelineSpecs.parse(
            """
        name: events
        origin: {type: files, path: "s3://bucket/events/", format: parquet}
        destination: {table: raw.events}
        """,
            SOURCE);

    FilesOrigin origin = (FilesOrigin) spec.origin();
    assertThat(origin.location()).isEqualTo(URI.create("s3://bucket/events/"));
    assertThat(origin.glob()).isEqualTo("*");
    assertThat(origin.csv()).isNull();
    assertThat(origin.columns()).isEmpty();
    assertThat(spec.destinations().get(0).mode()).isEqualTo(WriteMode.APPEND);
    assertThat(spec.errors().policy()).isEqualTo(Policy.TABLE);
    assertThat(spec.schedule()).isNull();
  }

  @Test
  void jdbcPipelineWithRoutesParses() {
    PipelineSpec spec =
        PipelineSpecs.parse(
            """
        name: orders_pg
        origin:
          type: jdbc
          url: jdbc:postgresql://db/shop
          user: app
          password: ${env:PG_PASSWORD}
          table: public.orders
          cursor: {column: updated_at}
          split: {column: id}
        destinations:
          - {when: "country = 'FR'", table: raw.orders_fr}
          - when: "country <> 'FR'"
            table: raw.orders_other
            mode: overwrite
            schema_changes: fail
        errors: {policy: stop, table: ops.errors.orders}
        mode: continuous
        commit: {max_rows: 5000, max_interval: 2m, compact_interval: 30s, compact_min_files: 4, keep_snapshots: 2d}
        """,
            SOURCE);

    JdbcOrigin origin = (JdbcOrigin) spec.origin();
    assertThat(origin.url()).isEqualTo("jdbc:postgresql://db/shop");
    assertThat(origin.user()).isEqualTo("app");
    assertThat(origin.password().isReference()).isTrue();
    assertThat(origin.password().environmentVariable()).isEqualTo("PG_PASSWORD");
    assertThat(origin.password().reveal()).isEqualTo("${env:PG_PASSWORD}");
    assertThat(origin.table()).isEqualTo("public.orders");
    assertThat(origin.query()).isNull();
    assertThat(origin.cursor()).isEqualTo(new PipelineSpec.Cursor("updated_at"));
    assertThat(origin.split()).isEqualTo(new PipelineSpec.Split("id", 4));
    assertThat(spec.destinations())
        .extracting(
            Destination::when,
            d -> d.table().toString(),
            Destination::mode,
            Destination::schemaChanges)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                "country = 'FR'", "raw.orders_fr", WriteMode.APPEND, SchemaChanges.EVOLVE),
            org.assertj.core.groups.Tuple.tuple(
                "country <> 'FR'", "raw.orders_other", WriteMode.OVERWRITE, SchemaChanges.FAIL));
    assertThat(spec.errors())
        .isEqualTo(
            new PipelineSpec.ErrorPolicy(
                Policy.STOP, null, DatasetPath.of("ops", "errors", "orders")));
    assertThat(spec.mode()).isEqualTo(Mode.CONTINUOUS);
    assertThat(spec.commit())
        .isEqualTo(
            new PipelineSpec.Commit(
                5000, Duration.ofMinutes(2), Duration.ofSeconds(30), 4, Duration.ofDays(2)));
    assertThat(spec.transforms()).isEmpty();
    assertThat(spec.constraints().checks()).isEmpty();
  }

  @Test
  void httpPipelineParsesWithDefaults() {
    PipelineSpec spec =
        PipelineSpecs.parse(
            """
        name: clicks
        origin: {type: http}
        destination: {table: raw.web.clicks}
        mode: continuous
        """,
            SOURCE);

    assertThat(spec.origin()).isEqualTo(new HttpOrigin(100_000));
    // a stream commits smaller batches than files and tables, read in bulk
    assertThat(spec.commit().maxRows()).isEqualTo(100_000);
    assertThat(spec.errors().table()).isEqualTo(DatasetPath.of("raw", "web", "clicks_errors"));
    assertThat(
            PipelineSpecs.parse(
                    """
        name: clicks
        origin: {type: http, max_pending_rows: 500}
        destination: {table: raw.clicks}
        """,
                    SOURCE)
                .origin())
        .isEqualTo(new HttpOrigin(500));
  }

  @Test
  void secretsStayReferencesAndLiteralsNeverPrint() {
    String yaml =
        """
        name: orders_pg
        origin: {type: jdbc, url: "jdbc:postgresql://db/shop", password: hunter2, query: SELECT 1}
        destination: {table: raw.orders}
        """;
    PipelineSpec literal = PipelineSpecs.parse(yaml, SOURCE);
    PipelineSpec reference =
        PipelineSpecs.parse(yaml.replace("hunter2", "\"${env:PG_PASSWORD}\""), SOURCE);

    assertThat(literal.toString()).doesNotContain("hunter2").contains("password=******");
    assertThat(((JdbcOrigin) literal.origin()).password().reveal()).isEqualTo("hunter2");
    assertThat(reference.toString()).contains("password=${env:PG_PASSWORD}");
    assertThat(((JdbcOrigin) reference.origin()).query()).isEqualTo("SELECT 1");
  }

  @Test
  void disallowedValueNamesTheOptions() {
    InvalidPipelineException error = invalid(FILES.replace("format: csv", "format: xml"));

    assertThat(error.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "line 7, column 11: origin.format: 'xml' is not one of csv, json, parquet");
    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(error.line()).isEqualTo(7);
    assertThat(error.column()).isEqualTo(11);
    assertThat(error.getMessage())
        .startsWith("Invalid pipeline " + SOURCE + " (1 problem):\n  line 7, column 11:");
  }

  @Test
  void unknownFieldListsValidOnesAndSuggestsTheClosest() {
    InvalidPipelineException error = invalid(FILES.replace("destination:", "destinaton:"));

    assertThat(error.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "line 1, column 1: needs exactly one of destination, destinations",
            "line 19, column 1: unknown field 'destinaton'; valid fields here: name, description, origin, transforms, "
                + "constraints, destination, destinations, errors, mode, schedule, commit, publish; did you mean 'destination'?");
    assertThat(invalid(FILES.replace("glob:", "pattern:")).problems().get(0).toString())
        .isEqualTo(
            "line 6, column 3: origin: unknown field 'pattern'; valid fields here: type, path, s3, glob, format, "
                + "csv, columns, url, user, password, table, query, cursor, split, slot, publication, changelog, snapshot, heartbeat_interval, heartbeat_query, bootstrap_servers, topic, group, max_pending_rows");
  }

  @Test
  void wrongTypesSayWhatWasExpected() {
    InvalidPipelineException error =
        invalid(
            FILES
                .replace(
                    "schedule: 5m",
                    "schedule: often\ncommit: {max_rows: lots, compact_min_files: 1}")
                .replace("delimiter: \";\"", "header: maybe, delimiter: \";;\"")
                .replace("not_null: [order_id]", "not_null: order_id"));

    assertThat(error.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "line 8, column 17: origin.csv.header: expected true or false, found 'maybe'",
            "line 8, column 35: origin.csv.delimiter: ';;' is not a single character",
            "line 16, column 13: constraints.not_null: expected a list of strings such as [a, b], found 'order_id'",
            "line 27, column 11: schedule: expected a duration such as 500ms, 30s, 5m, 1h or 2d, found 'often'",
            "line 28, column 20: commit.max_rows: expected an integer, found 'lots'",
            "line 28, column 45: commit.compact_min_files: '1' is not at least 2");
  }

  @Test
  void missingRequiredFieldsPointAtTheirParent() {
    InvalidPipelineException error =
        invalid(
            """
        description: nothing else
        origin:
          type: files
        destination: {mode: append}
        """);

    assertThat(error.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "line 1, column 1: name: required field is missing",
            "line 2, column 1: origin.path: required field is missing (required when type is files)",
            "line 2, column 1: origin.format: required field is missing (required when type is files)",
            "line 4, column 1: destination.table: required field is missing");
    assertThat(error.line()).isEqualTo(1);
  }

  @Test
  void conditionalRules() {
    assertThat(messages(FILES.replace("  key: [order_id]\n", "")))
        .containsExactly(
            "line 19, column 1: destination.key: required field is missing (required when mode is merge)");
    assertThat(messages(FILES.replace("  max_ratio: 0.05\n", "")))
        .containsExactly(
            "line 24, column 1: errors.max_ratio: required field is missing (required when policy is max_ratio)");
    assertThat(messages(FILES.replace("max_ratio: 0.05", "max_ratio: 1.5")))
        .containsExactly(
            "line 26, column 14: errors.max_ratio: '1.5' is not a ratio r with 0 < r <= 1");
    assertThat(messages(FILES.replace("policy: max_ratio", "policy: stop")))
        .containsExactly(
            "line 26, column 3: errors.max_ratio: only allowed when policy is max_ratio");
    assertThat(
            messages(
                """
        name: a
        origin: {type: jdbc, url: "jdbc:h2:mem", table: t, query: SELECT 1, glob: "*"}
        destination: {table: raw.a}
        """))
        .containsExactly(
            "line 2, column 52: origin: give only one of table, query when type is jdbc, not table and query",
            "line 2, column 69: origin.glob: only allowed when type is files");
    assertThat(
            messages(
                """
        name: a
        origin: {type: jdbc}
        destination: {table: raw.a}
        """))
        .containsExactly(
            "line 2, column 1: origin.url: required field is missing (required when type is jdbc or cdc)",
            "line 2, column 1: origin: needs exactly one of table, query when type is jdbc");
  }

  @Test
  void transformNamesMustBeUniqueAndNotInput() {
    assertThat(messages(FILES.replace("name: enriched", "name: clean")))
        .containsExactly(
            "line 13, column 11: transforms[1].name: duplicate name 'clean' (first at line 11)");
    assertThat(messages(FILES.replace("name: clean", "name: input")))
        .containsExactly(
            "line 11, column 11: transforms[0].name: 'input' is not a name matching [a-z][a-z0-9_]* other than 'input'");
  }

  @Test
  void syntaxErrorsCarrySnakeYamlPositions() {
    assertThat(messages("name: a\norigin:\n  type: files\n path: x\n"))
        .singleElement()
        .asString()
        .startsWith("line 4, column 2: YAML syntax:");
    assertThat(messages("name: \"unclosed\norigin: {type: http}\n"))
        .singleElement()
        .asString()
        .startsWith("line 3, column 1: YAML syntax: while scanning a quoted scalar:");
    assertThat(messages(""))
        .containsExactly(
            "line 1, column 1: the file is empty; a pipeline needs at least name, origin and destination");
    assertThat(messages("- just\n- a list\n"))
        .singleElement()
        .asString()
        .startsWith("line 1, column 1: expected a mapping of fields (name, description, origin");
  }

  @Test
  void reportsEveryProblemInFileOrder() {
    InvalidPipelineException error =
        invalid(
            """
        name: Orders
        origin:
          type: files
          path: data
          format: xml
        destination:
          table: orders
          mode: upsert
        errors: {policy: ignore}
        mode: batch
        mode: streaming
        """);

    assertThat(error.problems())
        .extracting(Problem::toString)
        .containsExactly(
            "line 1, column 7: name: 'Orders' is not a name matching [a-z][a-z0-9_]* of at most 64 characters",
            "line 5, column 11: origin.format: 'xml' is not one of csv, json, parquet",
            "line 7, column 10: destination.table: 'orders' is not a dataset path space[.folder].name",
            "line 8, column 9: destination.mode: 'upsert' is not one of append, overwrite, merge",
            "line 9, column 18: errors.policy: 'ignore' is not one of table, stop, max_ratio",
            "line 11, column 1: field 'mode' is given twice (first at line 10)");
    assertThat(error.line()).isEqualTo(1);
    assertThat(error.column()).isEqualTo(7);
  }

  private static List<String> messages(String yaml) {
    return invalid(yaml).problems().stream().map(Problem::toString).toList();
  }

  private static InvalidPipelineException invalid(String yaml) {
    InvalidPipelineException error =
        catchThrowableOfType(
            InvalidPipelineException.class, () -> PipelineSpecs.parse(yaml, SOURCE));
    assertThat(error).as("expected %s to be invalid", yaml).isNotNull();
    return error;
  }

  private static java.util.Map.Entry<String, String> entry(String key, String value) {
    return java.util.Map.entry(key, value);
  }

  @Test
  void redactsALiteralPasswordButKeepsReferencesAndEverythingElse() {
    String literal =
        "name: p\norigin:\n  type: jdbc\n  url: jdbc:postgresql://h/db\n  password: 'hunter2' # old\n"
            + "  table: t\ndestination: {table: s.t}\n";
    assertThat(PipelineSpecs.redacted(literal))
        .isEqualTo(literal.replace("'hunter2'", "\"******\""))
        .doesNotContain("hunter2");
    String reference = literal.replace("'hunter2'", "${env:PG_PASSWORD}");
    assertThat(PipelineSpecs.redacted(reference)).isEqualTo(reference);
    assertThat(PipelineSpecs.redacted("name: [unclosed")).isEqualTo("name: [unclosed");
  }

  @Test
  void readsS3SettingsAndChecksThemAgainstThePath() {
    String s3 =
        """
        name: p
        origin:
          type: files
          path: %s
          format: json
          s3: {endpoint: "http://127.0.0.1:9000", access_key_id: AKIA1, %s}
        destination: {table: s.t}
        """;
    PipelineSpec spec =
        PipelineSpecs.parse(
            s3.formatted("s3://bucket/in", "secret_access_key: \"${env:S3_SECRET}\""), SOURCE);
    PipelineSpec.FilesOrigin origin = (PipelineSpec.FilesOrigin) spec.origin();
    assertThat(origin.location().toString()).isEqualTo("s3://bucket/in");
    assertThat(origin.s3().endpoint()).isEqualTo("http://127.0.0.1:9000");
    assertThat(origin.s3().region()).isEqualTo("us-east-1");
    assertThat(origin.s3().secretAccessKey().environmentVariable()).isEqualTo("S3_SECRET");

    assertThat(messages(s3.formatted("data/in", "secret_access_key: x")))
        .containsExactly(
            "line 6, column 7: origin.s3: only allowed when path is an s3://bucket/prefix");
    assertThat(messages(s3.formatted("s3://bucket/in", "region: eu-west-1")))
        .singleElement()
        .asString()
        .contains("origin.s3.secret_access_key: missing");
  }

  @Test
  void redactsLiteralS3Keys() {
    String yaml =
        "name: p\norigin:\n  type: files\n  path: s3://b/p\n  format: csv\n"
            + "  s3:\n    access_key_id: AKIAXYZ\n    secret_access_key: ${env:K}\n"
            + "destination: {table: s.t}\n";
    assertThat(PipelineSpecs.redacted(yaml))
        .isEqualTo(yaml.replace("AKIAXYZ", "\"******\""))
        .contains("${env:K}");
  }
}
