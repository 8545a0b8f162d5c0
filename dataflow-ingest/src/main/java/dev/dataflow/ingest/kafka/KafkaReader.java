package dev.dataflow.ingest.kafka;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.OriginReader;
import dev.dataflow.ingest.runtime.Staging;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.KafkaOrigin;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * The kafka origin: JSON messages of a topic, read by a consumer group, so that the workers of a
 * pipeline share its partitions. Kafka's own offset commits are off: each partition's next offset
 * is committed in the Iceberg snapshot with the batch ({@code dataflow.kafka.<topic>.<partition>};
 * every partition the worker holds, so that no older commit is needed to resume), and a worker that
 * is given a partition starts it there. A batch closes at {@code commit.max_rows} messages or
 * {@code commit.max_interval} after its first one. Its messages are spooled, one file of JSON lines
 * per partition, and read like JSON files: a message that is not a JSON object goes to the error
 * table (file {@code <topic>-<partition>-<first offset>.jsonl}, with its line) and the stream goes
 * on.
 *
 * <p>Rebalances happen only inside {@code poll}, which runs only in {@link #next}, after the
 * previous batch is committed; messages of a partition taken away while a batch is being gathered
 * are dropped from it, to be read by the partition's new owner from the committed offset.
 */
public final class KafkaReader implements OriginReader {
  public static final String OFFSET_PREFIX = "dataflow.kafka.";

  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration PREVIEW_WAIT = Duration.ofSeconds(10);

  /** What a message without a value (a tombstone) is spooled as: not an object, so an error. */
  private static final byte[] NULL = "null".getBytes(StandardCharsets.UTF_8);

  private final PipelineSpec spec;
  private final KafkaOrigin origin;
  private final Function<String, String> committed;
  private final Path spool;
  private final Map<TopicPartition, List<ConsumerRecord<String, byte[]>>> gathered =
      new TreeMap<>(java.util.Comparator.comparing(TopicPartition::toString));
  private KafkaConsumer<String, byte[]> consumer;

  /** The offset committed in the lake of each partition this worker holds. */
  private final Map<TopicPartition, Long> committedOffsets = new HashMap<>();

  /** The offsets of the batch handed out last, committed once the run asks for the next one. */
  private final Map<TopicPartition, Long> handedOut = new HashMap<>();

  /**
   * @param committed the value of an offset property in the pipeline's last commit, or null
   * @param spool the directory for the batch's message files
   */
  public KafkaReader(PipelineSpec spec, Function<String, String> committed, Path spool) {
    this.spec = requireNonNull(spec, "spec is null");
    this.origin = (KafkaOrigin) spec.origin();
    this.committed = requireNonNull(committed, "committed is null");
    this.spool = requireNonNull(spool, "spool is null").resolve("kafka-" + spec.name());
  }

  static String offsetKey(TopicPartition partition) {
    return OFFSET_PREFIX + partition.topic() + "." + partition.partition();
  }

  @Override
  public List<Path> directories() {
    try {
      Files.createDirectories(spool);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.of(spool);
  }

  @Override
  public Pending next(Statement statement) throws SQLException {
    return next(statement, () -> false);
  }

  @Override
  public Pending next(Statement statement, BooleanSupplier stopped) throws SQLException {
    if (consumer == null) {
      consumer = subscribe();
    }
    // the run asks for a batch only once the one before is committed
    committedOffsets.putAll(handedOut);
    handedOut.clear();
    gathered.clear();
    if (!gather(stopped)) {
      return null;
    }
    Map<String, String> offsets = new HashMap<>();
    StringBuilder id = new StringBuilder("kafka-" + spec.name());
    long bytes = stage(statement);
    for (var entry : gathered.entrySet()) {
      List<ConsumerRecord<String, byte[]>> records = entry.getValue();
      long first = records.get(0).offset();
      long last = records.get(records.size() - 1).offset();
      offsets.put(offsetKey(entry.getKey()), Long.toString(last + 1));
      handedOut.put(entry.getKey(), last + 1);
      id.append('-').append(entry.getKey()).append('@').append(first).append('-').append(last);
    }
    // the partitions held without a message in the batch keep their offset in this commit too, so
    // that resuming never needs an older one, which snapshot expiry could then not drop
    for (TopicPartition partition : consumer.assignment()) {
      Long offset = committedOffsets.get(partition);
      if (offset != null && !gathered.containsKey(partition)) {
        offsets.put(offsetKey(partition), Long.toString(offset));
      }
    }
    return new Pending(id.toString(), offsets, bytes, gathered.size());
  }

  /** Fills {@code input} (and the error table) with the gathered messages; returns their bytes. */
  private long stage(Statement statement) throws SQLException {
    Staging.clear(statement);
    int index = 0;
    long bytes = 0;
    for (var entry : gathered.entrySet()) {
      Path file = write(entry.getKey(), entry.getValue().get(0).offset(), entry.getValue());
      bytes += read(statement, file, Staging.fileTable(index++));
      emptyMessages(statement, file, entry.getValue());
    }
    Staging.input(statement, index, 0);
    return bytes;
  }

  private KafkaConsumer<String, byte[]> subscribe() {
    KafkaConsumer<String, byte[]> created =
        consumer(origin.group() != null ? origin.group() : "dataflow_" + spec.name());
    created.subscribe(List.of(origin.topic()), new Rebalance());
    return created;
  }

  /** A consumer in {@code group}, or in none (null): offsets live in the lake's commits. */
  private KafkaConsumer<String, byte[]> consumer(String group) {
    Properties properties = new Properties();
    properties.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, origin.bootstrapServers());
    if (group != null) {
      properties.setProperty(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    // offsets live in the lake's commits, never in Kafka's
    properties.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.setProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.setProperty(
        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
        Integer.toString(Math.min(spec.commit().maxRows(), 10_000)));
    try {
      return new KafkaConsumer<>(properties, new StringDeserializer(), new ByteArrayDeserializer());
    } catch (KafkaException e) {
      throw cannotRead(e);
    }
  }

  private DataflowException cannotRead(KafkaException e) {
    return new DataflowException(
        ErrorCode.INVALID_ARGUMENT,
        "Pipeline " + spec.name() + ": cannot read Kafka topic " + origin.topic() + ": " + e,
        e);
  }

  /** Polls until a batch is full or due; false when nothing came (or the pipeline stopped). */
  private boolean gather(BooleanSupplier stopped) {
    long interval = spec.commit().maxInterval().toMillis();
    boolean continuous = spec.mode() == PipelineSpec.Mode.CONTINUOUS;
    long started = System.currentTimeMillis();
    long firstAt = -1;
    int count = 0;
    while (!stopped.getAsBoolean()) {
      for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
        gathered
            .computeIfAbsent(
                new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
            .add(record);
        count++;
        firstAt = firstAt < 0 ? System.currentTimeMillis() : firstAt;
      }
      long now = System.currentTimeMillis();
      if (consumer.assignment().isEmpty()) {
        // waiting to join the group is not idleness: the partitions may be full
        started = now;
      }
      boolean full = count >= spec.commit().maxRows();
      boolean due = firstAt >= 0 && now - firstAt >= interval;
      boolean idle = firstAt < 0 && !continuous && now - started >= interval;
      if (full || due || idle) {
        break;
      }
    }
    return !gathered.isEmpty() && !stopped.getAsBoolean();
  }

  /**
   * One partition's messages as JSON lines (a message's own line breaks become spaces). The bytes
   * are spooled as sent, not decoded: a message that is not UTF-8 is then a parse error, as a
   * file's line is, where decoding would have landed it with U+FFFD in place of its bad bytes.
   */
  private Path write(
      TopicPartition partition, long first, List<ConsumerRecord<String, byte[]>> records) {
    ByteArrayOutputStream lines = new ByteArrayOutputStream();
    for (ConsumerRecord<String, byte[]> record : records) {
      byte[] value = record.value() == null ? NULL : record.value();
      for (byte b : value) {
        // no byte of a multi-byte UTF-8 character is a line break
        lines.write(b == '\n' || b == '\r' ? ' ' : b);
      }
      lines.write('\n');
    }
    Path file =
        spool.resolve(partition.topic() + "-" + partition.partition() + "-" + first + ".jsonl");
    try {
      Files.write(file, lines.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return file;
  }

  /**
   * A blank message is spooled as a blank line, which the JSON reader skips as no record; it is a
   * message all the same, so it is an error row of its own.
   */
  private static void emptyMessages(
      Statement statement, Path file, List<ConsumerRecord<String, byte[]>> records)
      throws SQLException {
    for (int line = 0; line < records.size(); line++) {
      byte[] bytes = records.get(line).value();
      String value = bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
      if (value != null && value.isBlank()) {
        Staging.error(
            statement,
            file.toAbsolutePath().normalize().toString(),
            (long) line + 1,
            value,
            "parse",
            "empty message");
      }
    }
  }

  private static long read(Statement statement, Path file, String target) {
    long bytes = Staging.readJson(statement, file, target).bytes();
    try {
      Files.delete(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes;
  }

  /**
   * Reads the next {@code limit} messages after the lake's committed offsets with a consumer
   * outside the group, given every partition itself: the workers of the group keep theirs, and
   * nothing is committed anywhere.
   */
  @Override
  public void preview(Statement statement, int limit) throws SQLException {
    gathered.clear();
    try (KafkaConsumer<String, byte[]> reader = consumer(null)) {
      List<TopicPartition> partitions =
          reader.partitionsFor(origin.topic(), PREVIEW_WAIT).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      reader.assign(partitions);
      seek(reader, partitions, committedOffsets(partitions));
      Map<TopicPartition, Long> ends = reader.endOffsets(partitions, PREVIEW_WAIT);
      long deadline = System.currentTimeMillis() + PREVIEW_WAIT.toMillis();
      int count = 0;
      while (count < limit
          && System.currentTimeMillis() < deadline
          && partitions.stream().anyMatch(p -> reader.position(p) < ends.get(p))) {
        for (ConsumerRecord<String, byte[]> record : reader.poll(POLL)) {
          if (count < limit) {
            gathered
                .computeIfAbsent(
                    new TopicPartition(record.topic(), record.partition()), p -> new ArrayList<>())
                .add(record);
            count++;
          }
        }
      }
    } catch (KafkaException e) {
      throw cannotRead(e);
    }
    stage(statement);
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.close();
    }
  }

  /** The offsets committed in the lake of those partitions that have one. */
  private Map<TopicPartition, Long> committedOffsets(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> offsets = new HashMap<>();
    for (TopicPartition partition : partitions) {
      String offset = committed.apply(offsetKey(partition));
      if (offset != null) {
        offsets.put(partition, Long.parseLong(offset));
      }
    }
    return offsets;
  }

  /** Starts each partition at its committed offset, or at its beginning when it has none. */
  private static void seek(
      KafkaConsumer<String, byte[]> reader,
      Collection<TopicPartition> partitions,
      Map<TopicPartition, Long> offsets) {
    for (TopicPartition partition : partitions) {
      Long offset = offsets.get(partition);
      if (offset != null) {
        reader.seek(partition, offset);
      } else {
        reader.seekToBeginning(List.of(partition));
      }
    }
  }

  /**
   * Starts each partition given to this worker at its committed offset. A partition's new owner
   * reads that offset only once its old owner has let it go, which happens in the old owner's poll,
   * after its last commit: so the offset is the latest, and this worker may carry it.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      Map<TopicPartition, Long> offsets = committedOffsets(partitions);
      committedOffsets.putAll(offsets);
      seek(consumer, partitions, offsets);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      partitions.forEach(gathered::remove);
      partitions.forEach(committedOffsets::remove);
    }
  }
}
