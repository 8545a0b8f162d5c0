package dev.dataflow.ingest.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.LakeRows;
import dev.dataflow.ingest.RandomRecords;
import dev.dataflow.ingest.TestPlatform;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.Pipelines;
import dev.dataflow.ingest.runtime.Preview;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The kafka origin against a KRaft broker in this JVM, through the real runtime and lake. */
class KafkaReaderTest {
  @TempDir static Path brokerDir;
  static KafkaBroker broker;

  @TempDir Path dir;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = KafkaBroker.start(brokerDir);
  }

  @AfterAll
  static void stopBroker() {
    broker.close();
  }

  private static final String OFFSET = KafkaReader.OFFSET_PREFIX + "quiet.";

  String yaml(String name, String topic, String mode) {
    return """
        name: %s
        origin: {type: kafka, bootstrap_servers: "%s", topic: %s, group: g_%s}
        destination: {table: raw.%s}
        mode: %s
        commit: {max_rows: 2000, max_interval: 1s}
        """
        .formatted(name, broker.bootstrap, topic, name, name, mode);
  }

  static List<String> events(int from, int to) {
    return IntStream.range(from, to)
        .mapToObj(
            i -> "{\"id\": " + i + ", \"kind\": \"k" + (i % 7) + "\", \"amount\": " + i * 0.5 + "}")
        .toList();
  }

  static List<String> rows(SqlService sql, String query) {
    return LakeRows.of(sql, query);
  }

  /** Waits up to a minute for the table's row count to satisfy {@code done}. */
  static void awaitCount(SqlService sql, String table, java.util.function.LongPredicate done)
      throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      try {
        if (done.test(Long.parseLong(rows(sql, "SELECT count(*) FROM raw." + table).get(0)))) {
          return;
        }
      } catch (dev.dataflow.api.DataflowException e) {
        // the first commit creates the table
      }
      Thread.sleep(100);
    }
  }

  @Test
  void aPoisonMessageGoesToTheErrorTableAndTheStreamGoesOn() throws Exception {
    broker.createTopic("orders", 3);
    List<String> first = new ArrayList<>(events(0, 1000));
    first.add(500, "{not json at all");
    broker.send("orders", first);
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      pipelines.apply(yaml("orders", "orders", "batch"), dir.resolve("orders.yaml"));
      RunRecord run = pipelines.runOnce("orders");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(rows(sql, "SELECT count(*), count(DISTINCT id), sum(id) FROM raw.orders"))
          .containsExactly("1000|1000|499500");
      assertThat(rows(sql, "SELECT raw, stage FROM raw.orders_errors"))
          .containsExactly("{not json at all|parse");
      broker.send("orders", events(1000, 1500));
      run = pipelines.runOnce("orders");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(rows(sql, "SELECT count(*), count(DISTINCT id), max(id) FROM raw.orders"))
          .containsExactly("1500|1500|1499");
      assertThat(rows(sql, "SELECT count(*) FROM raw.orders_errors")).containsExactly("1");
    }
  }

  /** An empty message is spooled as a blank line, which a JSON file may hold as no record. */
  @Test
  void anEmptyMessageIsAnErrorRow() throws Exception {
    broker.createTopic("blanks", 1);
    List<String> messages = new ArrayList<>(events(0, 10));
    messages.add(5, "");
    broker.send("blanks", messages);
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      platform.pipelines.apply(yaml("blanks", "blanks", "batch"), dir.resolve("blanks.yaml"));
      RunRecord run = platform.pipelines.runOnce("blanks");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(rows(platform.sql, "SELECT count(*) FROM raw.blanks")).containsExactly("10");
      assertThat(rows(platform.sql, "SELECT \"row\", length(raw), reason FROM raw.blanks_errors"))
          .containsExactly("6|0|empty message");
      assertThat(List.of(run.rowsIn(), run.rowsOut(), run.rowsError()))
          .containsExactly(11L, 10L, 1L);
    }
  }

  /**
   * Every message lands with its values or is an error row with its own text, and the run record
   * counts them all: random good objects among cut JSON, non-objects, invalid UTF-8, NUL and empty
   * messages, spread over the partitions. {@code -Ddataflow.seed=N} runs a new seed.
   */
  @Test
  void everyMessageLandsOrIsAnError() throws Exception {
    long seed = RandomRecords.seed();
    // a partition's first message opens with '[': its spool file must not read as one JSON array
    List<byte[]> messages = new ArrayList<>(List.of("[1]".getBytes(StandardCharsets.UTF_8)));
    List<String> good = new ArrayList<>();
    List<String> bad = new ArrayList<>(List.of("[1]"));
    for (int number = 0; number < 50; number++) {
      RandomRecords.Messages written = RandomRecords.kafkaMessages(seed, number);
      messages.addAll(written.messages());
      good.addAll(written.rows());
      bad.addAll(written.bad());
      bad.addAll(written.blank());
    }
    broker.createTopic("random", 3);
    broker.sendBytes("random", messages);
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      platform.pipelines.apply(yaml("random", "random", "batch"), dir.resolve("random.yaml"));
      RunRecord run = platform.pipelines.runOnce("random");
      String context = "seed " + seed + " (-Ddataflow.seed=" + seed + ")";
      assertThat(run.status()).as(context + ": " + run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(
              rows(
                  platform.sql,
                  "SELECT id, name, CAST(amount AS DECIMAL(10,2)), CAST(day AS VARCHAR)"
                      + " FROM raw.random"))
          .as(context)
          .containsExactlyInAnyOrderElementsOf(good);
      assertThat(rows(platform.sql, "SELECT raw FROM raw.random_errors"))
          .as(context)
          .containsExactlyInAnyOrderElementsOf(bad);
      assertThat(List.of(run.rowsIn(), run.rowsOut(), run.rowsError()))
          .as(context + ": run record in, out, error")
          .containsExactly((long) messages.size(), (long) good.size(), (long) bad.size());
    }
  }

  @Test
  void everyCommitHoldsTheOffsetOfEveryPartitionTheWorkerHolds() throws Exception {
    broker.createTopic("quiet", 2);
    broker.send("quiet", events(0, 20));
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      Pipelines pipelines = platform.pipelines;
      pipelines.apply(yaml("quiet", "quiet", "batch"), dir.resolve("quiet.yaml"));
      assertThat(pipelines.runOnce("quiet").rowsOut()).isEqualTo(20);
      org.apache.iceberg.Table table = platform.lake.table(DatasetPath.of("raw", "quiet"));
      java.util.Map<String, String> both = table.currentSnapshot().summary();
      assertThat(both).containsKeys(OFFSET + "0", OFFSET + "1");

      // one message, keyed like the first one: it goes to one partition only
      broker.send("quiet", events(20, 21));
      assertThat(pipelines.runOnce("quiet").rowsOut()).isEqualTo(1);
      table.refresh();
      java.util.Map<String, String> after = table.currentSnapshot().summary();
      String busy =
          Long.parseLong(after.get(OFFSET + "0")) > Long.parseLong(both.get(OFFSET + "0"))
              ? "0"
              : "1";
      String idle = busy.equals("0") ? "1" : "0";
      // the partition without a message keeps its offset in the new commit
      assertThat(after).containsEntry(OFFSET + idle, both.get(OFFSET + idle));
      assertThat(Long.parseLong(after.get(OFFSET + busy)))
          .isEqualTo(Long.parseLong(both.get(OFFSET + busy)) + 1);
    }
  }

  @Test
  void rowsArePublishedToATopicAsJson() throws Exception {
    broker.createTopic("raw_in", 2);
    broker.send("raw_in", events(0, 300));
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      String yaml =
          yaml("published", "raw_in", "batch")
              + "transforms: [{name: big, sql: \"SELECT id, kind FROM input WHERE id >= 100\"}]\n"
              + "publish: {bootstrap_servers: \""
              + broker.bootstrap
              + "\", topic: published_out, key: id}\n";
      pipelines.apply(yaml, dir.resolve("published.yaml"));
      RunRecord run = pipelines.runOnce("published");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
    }
    List<String> messages = broker.read("published_out");
    assertThat(messages).hasSize(200).contains("150={\"id\":150,\"kind\":\"k3\"}");
  }

  @Test
  void smallFilesAreCompactedWhileTheStreamGoesOn() throws Exception {
    broker.createTopic("ticks", 2);
    Path data = dir.resolve("data");
    try (TestPlatform platform = new TestPlatform(data)) {
      Lake lake = platform.lake;
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      pipelines.apply(
          yaml("ticks", "ticks", "continuous").replace("max_rows: 2000", "max_rows: 100"),
          dir.resolve("ticks.yaml"));
      pipelines.start("ticks");
      broker.send("ticks", events(0, 3000));
      awaitCount(sql, "ticks", count -> count >= 3000);
      long before = dataFiles(lake, "raw.ticks");
      assertThat(before).isGreaterThanOrEqualTo(10);
      broker.send("ticks", events(3000, 4000));
      assertThat(pipelines.compact("ticks")).isGreaterThanOrEqualTo(10);
      awaitCount(sql, "ticks", count -> count >= 4000);
      assertThat(rows(sql, "SELECT count(*), count(DISTINCT id), sum(id) FROM raw.ticks"))
          .containsExactly("4000|4000|7998000");
      assertThat(dataFiles(lake, "raw.ticks")).isLessThan(before);
      assertThat(pipelines.status("ticks").state()).isEqualTo(PipelineState.RUNNING);
    }
  }

  static long dataFiles(Lake lake, String table) {
    var current = lake.tableOrNull(dev.dataflow.api.DatasetPath.parse(table));
    current.refresh();
    return Long.parseLong(current.currentSnapshot().summary().get("total-data-files"));
  }

  @Test
  void aPreviewShowsTheNextMessagesAndTakesNothingFromTheGroup() throws Exception {
    broker.createTopic("previewed", 2);
    List<String> messages = new ArrayList<>(events(0, 300));
    messages.add(10, "[not an object");
    broker.send("previewed", messages);
    try (TestPlatform platform = new TestPlatform(dir.resolve("data"))) {
      Lake lake = platform.lake;
      SqlService sql = platform.sql;
      Pipelines pipelines = platform.pipelines;
      pipelines.apply(yaml("previewed", "previewed", "batch"), dir.resolve("previewed.yaml"));
      Preview preview = pipelines.preview("previewed", 50);
      Preview.Rows input = preview.stages().values().iterator().next();
      assertThat(input.columns()).contains("id", "kind", "amount");
      assertThat(input.rows().size() + preview.errors().rows().size()).isEqualTo(50);
      assertThat(preview.errors().rows()).hasSize(1);
      assertThat(lake.tableOrNull(DatasetPath.parse("raw.previewed"))).isNull();

      // the run reads everything: the preview committed nothing
      RunRecord run = pipelines.runOnce("previewed");
      assertThat(run.status()).as(run.error()).isEqualTo(PipelineState.FINISHED);
      assertThat(rows(sql, "SELECT count(DISTINCT id) FROM raw.previewed")).containsExactly("300");
      broker.send("previewed", events(300, 310));
      // after a commit, a preview starts at the committed offsets
      Preview next = pipelines.preview("previewed", 100);
      assertThat(next.stages().values().iterator().next().rows()).hasSize(10);
    }
  }

  @Test
  void twoWorkersShareThePartitionsWithoutDuplicateOrLoss() throws Exception {
    broker.createTopic("clicks", 4);
    Path data = dir.resolve("data");
    try (TestPlatform platformA = new TestPlatform(data);
        TestPlatform platformB = new TestPlatform(data)) {
      SqlService sqlA = platformA.sql;
      Pipelines workerA = platformA.pipelines;
      SqlService sqlB = platformB.sql;
      Pipelines workerB = platformB.pipelines;
      String yaml = yaml("clicks", "clicks", "continuous");
      workerA.apply(yaml, dir.resolve("clicks.yaml"));
      workerA.start("clicks");
      broker.send("clicks", events(0, 10_000));
      // the second worker joins once the first created the table and is reading: the group
      // rebalances
      awaitCount(sqlA, "clicks", count -> count > 0);
      workerB.start("clicks");
      // spread over a few seconds, so that the second worker has joined for part of them
      for (int from = 10_000; from < 20_000; from += 1_000) {
        broker.send("clicks", events(from, from + 1_000));
        Thread.sleep(500);
      }
      awaitCount(sqlB, "clicks", count -> count >= 20_000);
      Thread.sleep(2_000); // a duplicate would arrive after the last row
      assertThat(rows(sqlA, "SELECT count(*), count(DISTINCT id), sum(id) FROM raw.clicks"))
          .containsExactly("20000|20000|199990000");
      assertThat(workerA.runs("clicks", 10)).isNotEmpty();
      assertThat(workerB.status("clicks").state()).isEqualTo(PipelineState.RUNNING);
      // both took part: the partitions were shared
      assertThat(workerA.status("clicks").live().rowsIn()).isPositive();
      assertThat(workerB.status("clicks").live().rowsIn()).isPositive();
    }
  }
}
