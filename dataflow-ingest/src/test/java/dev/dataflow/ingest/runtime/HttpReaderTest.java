package dev.dataflow.ingest.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.RandomRecords;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.http.HttpIngest;
import dev.dataflow.ingest.http.HttpSpools;
import dev.dataflow.ingest.spec.PipelineSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The http origin's runs over its spool, without the server in front. */
class HttpReaderTest {
  @TempDir Path dir;
  private TestPlatform platform;
  private Pipelines pipelines;
  private HttpSpools spools;

  @BeforeEach
  void start() {
    platform = new TestPlatform(dir.resolve("data"));
    pipelines = platform.pipelines;
    spools = HttpReader.spools(platform.sql);
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  private PipelineSpec apply(String schemaChanges) {
    return pipelines.apply(
        """
        name: events
        origin: {type: http}
        constraints: {not_null: [id]}
        destination: {table: raw.events, schema_changes: %s}
        """
            .formatted(schemaChanges),
        dir.resolve("events.yaml"));
  }

  private RunRecord run(PipelineSpec spec, HttpIngest spool) {
    return new IngestRun(platform.sql, spec, new HttpReader(platform.lake, spec, spool))
        .run(
            new RunRecord("r", "events", 0, null, PipelineState.RUNNING, 0, 0, 0, 0, 0, null, null),
            () -> false,
            (batch, bytes) -> {});
  }

  private static void push(HttpIngest spool, String lines) {
    spool.accept(lines.getBytes(StandardCharsets.UTF_8), "application/x-ndjson");
  }

  @Test
  void aBatchRetriedAfterFailingBetweenItsCommitsWritesItsErrorRecordsOnce() {
    PipelineSpec strict = apply("fail");
    HttpIngest spool = spools.of(strict);
    push(spool, "{\"id\": 1}\n");
    run(strict, spool);
    // a new column fails the destination's commit after the error table's: the state a crash
    // between the two leaves
    push(spool, "{\"id\": 2, \"note\": \"new\"}\n{\"id\": null}\n");
    assertThatThrownBy(() -> run(strict, spool))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("note");
    assertThat(platform.rows("SELECT count(*) FROM raw.events_errors")).containsExactly("1");

    // more rows arrive before the retry; it must redo the same batch, not a bigger one
    push(spool, "{\"id\": 3, \"note\": \"later\"}\n{\"id\": null, \"note\": \"bad\"}\n");
    PipelineSpec evolving = apply("evolve");
    RunRecord retried = run(evolving, spools.of(evolving));
    assertThat(retried.rowsOut()).isEqualTo(2);
    assertThat(platform.rows("SELECT id FROM raw.events ORDER BY id"))
        .containsExactly("1", "2", "3");
    assertThat(platform.rows("SELECT raw FROM raw.events_errors ORDER BY raw"))
        .containsExactly("{\"id\":null,\"note\":\"bad\"}", "{\"id\":null,\"note\":null}");
  }

  @Test
  void aContinuousStreamKeepsOnlyItsRecentSnapshotsAndResumesExactlyOnce() {
    PipelineSpec spec =
        pipelines.apply(
            """
            name: events
            origin: {type: http}
            destination: {table: raw.events}
            mode: continuous
            commit: {max_rows: 2, compact_interval: 1ms, keep_snapshots: 1ms}
            """,
            dir.resolve("events.yaml"));
    HttpIngest spool = spools.of(spec);
    for (int id = 1; id <= 10; id += 2) {
      push(spool, "{\"id\": " + id + "}\n{\"id\": " + (id + 1) + "}\n");
    }
    assertThat(run(spec, spool).rowsOut()).isEqualTo(10);
    Table table = platform.lake.table(DatasetPath.of("raw", "events"));
    // five commits of two rows; each expired the ones before it
    assertThat(table.currentSnapshot().summary()).containsEntry(HttpReader.SEQUENCE, "5");
    assertThat(SnapshotExpiryTest.snapshots(table)).hasSizeLessThanOrEqualTo(2);

    push(spool, "{\"id\": 11}\n{\"id\": 12}\n{\"id\": 13}\n{\"id\": 14}\n");
    assertThat(run(spec, spool).rowsOut()).isEqualTo(4);
    assertThat(platform.rows("SELECT count(*), count(DISTINCT id), max(id) FROM raw.events"))
        .containsExactly("14|14|14");
  }

  /**
   * Every record a request was acknowledged for lands or is in the error table with its own text; a
   * body refused as a whole (no JSON object in it) is not acknowledged, so not counted.
   */
  @Test
  void everyRecordPushedLandsOrIsAnError() {
    PipelineSpec spec =
        pipelines.apply(
            """
            name: pushed
            origin: {type: http}
            destination: {table: raw.pushed}
            commit: {max_rows: 10}
            """,
            dir.resolve("pushed.yaml"));
    HttpIngest spool = spools.of(spec);
    long seed = RandomRecords.seed();
    java.util.Random bodies = new java.util.Random(seed);
    List<Long> good = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    long accepted = 0;
    for (int number = 0; number < 40; number++) {
      RandomRecords.Messages records = RandomRecords.jsonMessages(seed, number);
      java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
      // a blank message is a blank line, which a body holds as no record
      records
          .messages()
          .forEach(
              record ->
                  body.writeBytes(
                      (new String(record, StandardCharsets.ISO_8859_1)
                              + (bodies.nextBoolean() ? "\n" : "\r\n"))
                          .getBytes(StandardCharsets.ISO_8859_1)));
      try {
        accepted += spool.accept(body.toByteArray(), "application/x-ndjson").accepted();
        good.addAll(records.good());
        bad.addAll(records.bad());
      } catch (DataflowException refused) {
        assertThat(records.good()).as("a body with a good record is acknowledged").isEmpty();
      }
    }
    RunRecord run = run(spec, spool);
    String context = "seed " + seed + " (-Ddataflow.seed=" + seed + ")";
    assertThat(platform.rows("SELECT id FROM raw.pushed").stream().map(Long::valueOf).sorted())
        .as(context)
        .containsExactlyElementsOf(good.stream().sorted().toList());
    assertThat(platform.rows("SELECT raw FROM raw.pushed_errors"))
        .as(context)
        .containsExactlyInAnyOrderElementsOf(bad);
    assertThat(List.of(run.rowsIn(), run.rowsOut(), run.rowsError()))
        .as(context + ": run record in, out, error")
        .containsExactly(accepted, (long) good.size(), (long) bad.size());
    assertThat(accepted).isEqualTo(good.size() + bad.size());
  }

  @Test
  void deletingThePipelineDeletesItsSpool() {
    PipelineSpec spec = apply("evolve");
    push(spools.of(spec), "{\"id\": 1}\n");
    Path directory = dir.resolve("data").resolve("ingest").resolve("events");
    assertThat(directory).isDirectory();
    pipelines.delete("events");
    assertThat(Files.exists(directory)).isFalse();
  }
}
