package dev.dataflow.ingest.cdc;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.OriginReader;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.source.SourceRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cdc origin: a table's changes from PostgreSQL's logical replication (Debezium, pgoutput) or a
 * MySQL/MariaDB binlog (Debezium's MySQL connector, with its schema history in the lake commit:
 * {@link LakeSchemaHistory}), first its rows as they are (the snapshot), then every insert, update
 * and delete as it commits. Each batch is one hand-over from the engine; its Debezium offset (with
 * the LSN) is committed in the same Iceberg snapshot as its rows, and a run starts Debezium from
 * the last committed one. The source learns a batch's position (so the slot's WAL can be released)
 * only when the next call shows the batch committed.
 *
 * <p>In a continuous pipeline a run waits for changes until the pipeline is stopped; in a batch
 * pipeline it ends when no change came for {@code commit.max_interval} once the engine was ready.
 */
public final class CdcReader implements OriginReader {
  static final String OFFSET_KEY = "dataflow.cdc.key";
  static final String OFFSET = "dataflow.cdc.offset";
  static final String LSN = "dataflow.cdc.lsn";
  static final String SCHEMA_HISTORY = "dataflow.cdc.schema_history";
  static final String SOURCE_TIME = "dataflow.cdc.source_ts";
  private static final long POLL_MILLIS = 100;
  private static final Logger LOG = LoggerFactory.getLogger(CdcReader.class);

  private final PipelineSpec spec;
  private final CdcOrigin origin;
  private final Function<String, String> committed;
  private final Consumer<Map<String, String>> restart;
  private final Predicate<Map<String, String>> advance;
  private final JsonConverter offsets = new JsonConverter();
  private ChangeStream stream;
  private ChangeStream.Delivery pending;
  private String pendingOffset;
  private SourceTimes times;
  private String history;
  private String historyId;

  /**
   * @param committed the value of an offset property in the pipeline's last commit, or null
   * @param restart deletes every row of the pipeline's destinations in one commit carrying the
   *     given offset properties: an interrupted initial snapshot starts over from an empty table
   * @param advance commits the given offset properties alone (no row) where the pipeline's offsets
   *     are read; false when that table does not exist yet
   */
  public CdcReader(
      PipelineSpec spec,
      Function<String, String> committed,
      Consumer<Map<String, String>> restart,
      Predicate<Map<String, String>> advance) {
    this.spec = requireNonNull(spec, "spec is null");
    this.origin = (CdcOrigin) spec.origin();
    this.committed = requireNonNull(committed, "committed is null");
    this.restart = requireNonNull(restart, "restart is null");
    this.advance = requireNonNull(advance, "advance is null");
    offsets.configure(Map.of("schemas.enable", "false"), false);
    checkDestinations(spec);
  }

  /** Applied changes need merge destinations (by the table's key); a changelog appends. */
  private static void checkDestinations(PipelineSpec spec) {
    boolean changelog = ((CdcOrigin) spec.origin()).changelog();
    for (PipelineSpec.Destination destination : spec.destinations()) {
      PipelineSpec.WriteMode expected =
          changelog ? PipelineSpec.WriteMode.APPEND : PipelineSpec.WriteMode.MERGE;
      if (destination.mode() != expected) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Pipeline "
                + spec.name()
                + ": a cdc origin "
                + (changelog
                    ? "with changelog: true appends every change: set the destination's mode to append"
                    : "applies changes by key: set the destination's mode to merge with the table's"
                        + " primary key, or set changelog: true on the origin"));
      }
    }
  }

  @Override
  public Pending next(Statement statement) throws SQLException {
    return next(statement, () -> false);
  }

  @Override
  public Pending next(Statement statement, BooleanSupplier stopped) throws SQLException {
    // the run asks for the next batch only once the previous one is committed
    acknowledge(true);
    if (stream == null) {
      restartInterruptedSnapshot();
      checkSourcePosition();
      Properties properties = DebeziumConfig.of(spec, committed);
      historyId = properties.getProperty(LakeSchemaHistory.ID);
      history = committed.apply(SCHEMA_HISTORY);
      stream = new ChangeStream(properties);
    }
    ChangeStream.Delivery delivery;
    while ((delivery = await(stopped)) != null) {
      if (delivery.records().stream().anyMatch(ChangeRows::isChange)) {
        return pending(statement, delivery);
      }
      advance(delivery);
    }
    return null;
  }

  /** Stages a delivery's changes as the batch; its offset is that of its last record. */
  private Pending pending(Statement statement, ChangeStream.Delivery delivery) throws SQLException {
    List<SourceRecord> records = delivery.records();
    times = ChangeRows.stage(statement, records, origin.changelog(), spec.name());
    SourceRecord last = records.get(records.size() - 1);
    Map<String, String> offset = offset(last);
    pending = delivery;
    pendingOffset = offset.get(OFFSET);
    offset.put(SOURCE_TIME, Long.toString(times.newest()));
    commitHistory(offset);
    return new Pending(
        "cdc-"
            + spec.name()
            + "-"
            + offset(records.get(0)).get(OFFSET).hashCode()
            + "-"
            + pendingOffset.hashCode(),
        offset,
        0,
        1);
  }

  /**
   * A delivery without a change (heartbeats, logical decoding messages) only moves the position: it
   * is committed to the lake alone, then confirmed to the source, so the slot releases the WAL of a
   * busy database while the table is idle. A position that did not move needs no commit.
   */
  private void advance(ChangeStream.Delivery delivery) {
    List<SourceRecord> records = delivery.records();
    Map<String, String> offset = offset(records.get(records.size() - 1));
    if (offset.get(OFFSET).equals(committed.apply(OFFSET))) {
      delivery.acknowledge(true);
      return;
    }
    String before = history;
    commitHistory(offset);
    boolean done = advance.test(offset);
    if (!done) {
      history = before;
    }
    delivery.acknowledge(done);
  }

  /**
   * A snapshot cut short (a crash, a stop) left rows that the source may have deleted since, which
   * a new snapshot would not remove: the table is emptied, the offsets cleared and the slot
   * dropped, so that the next snapshot starts from a new slot's consistent point.
   */
  private void restartInterruptedSnapshot() {
    String offset = committed.apply(OFFSET);
    if (offset == null || offset.isEmpty() || !DebeziumConfig.inSnapshot(offset)) {
      return;
    }
    startOver();
  }

  /**
   * Fails the run when the source no longer has the changes after the committed position, or, with
   * {@code snapshot: when_needed}, loads the table anew from a new snapshot (emptied first, like an
   * interrupted snapshot: rows deleted at the source meanwhile must not survive).
   */
  private void checkSourcePosition() {
    String offset = committed.apply(OFFSET);
    if (offset == null || offset.isEmpty()) {
      return;
    }
    Optional<String> lost = SourcePosition.lost(spec, offset);
    if (lost.isEmpty()) {
      return;
    }
    if (origin.snapshot() != CdcOrigin.Snapshot.WHEN_NEEDED) {
      throw new DataflowException(
          ErrorCode.NOT_FOUND,
          "Pipeline "
              + spec.name()
              + " cannot resume: the "
              + lost.get()
              + ", so the changes since its last commit are gone from the source. Set the"
              + " origin's snapshot: when_needed to load the table anew from a new snapshot (it is"
              + " emptied first), or keep binlogs/WAL longer than the pipeline is stopped.");
    }
    LOG.warn(
        "Pipeline {}: the {}; loading {} anew from a new snapshot",
        spec.name(),
        lost.get(),
        origin.table());
    startOver();
  }

  /** Drops the slot, empties the table and clears the offsets: the next snapshot starts anew. */
  private void startOver() {
    Replication.drop(spec);
    restart.accept(Map.of(OFFSET_KEY, "", OFFSET, "", LSN, "", SCHEMA_HISTORY, ""));
  }

  private ChangeStream.Delivery await(BooleanSupplier stopped) {
    long asked = System.currentTimeMillis();
    long interval = spec.commit().maxInterval().toMillis();
    boolean continuous = spec.mode() == PipelineSpec.Mode.CONTINUOUS;
    try {
      while (!stopped.getAsBoolean() && (continuous || !idle(asked, interval))) {
        String failure = stream.failure();
        if (failure != null) {
          throw new DataflowException(
              ErrorCode.INTERNAL,
              "Pipeline "
                  + spec.name()
                  + ": the change stream of "
                  + origin.table()
                  + " failed: "
                  + failure);
        }
        ChangeStream.Delivery delivery = stream.take(POLL_MILLIS);
        if (delivery != null) {
          return delivery;
        }
      }
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Whether no change came for {@code interval} since the engine was ready and we asked. */
  private boolean idle(long asked, long interval) {
    long since = stream.pollingSince();
    return since > 0 && System.currentTimeMillis() - Math.max(since, asked) >= interval;
  }

  /**
   * Adds a binlog origin's schema history to a batch's offsets when it grew since the last commit
   * (the latest commit that has it is the one that counts, so unchanged history is not repeated).
   */
  private void commitHistory(Map<String, String> offset) {
    String current = historyId == null ? null : LakeSchemaHistory.text(historyId);
    if (current != null && !current.equals(history)) {
      offset.put(SCHEMA_HISTORY, current);
      history = current;
    }
  }

  /** The offset properties of a record: Debezium's key and offset as its engine stores them. */
  private Map<String, String> offset(SourceRecord record) {
    String engine = DebeziumConfig.engineName(spec);
    Map<String, String> properties = new HashMap<>();
    properties.put(
        OFFSET_KEY,
        text(offsets.fromConnectData(engine, null, List.of(engine, record.sourcePartition()))));
    properties.put(OFFSET, text(offsets.fromConnectData(engine, null, record.sourceOffset())));
    Object lsn = record.sourceOffset().get("lsn");
    if (lsn != null) {
      properties.put(LSN, lsn.toString());
    }
    return properties;
  }

  private static String text(byte[] bytes) {
    return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
  }

  private void acknowledge(boolean done) {
    if (pending != null) {
      pending.acknowledge(done);
      pending = null;
    }
  }

  @Override
  public SourceTimes sourceTimes() {
    return times;
  }

  @Override
  public void preview(Statement statement, int limit) throws SQLException {
    throw new DataflowException(
        ErrorCode.UNSUPPORTED,
        "Pipeline "
            + spec.name()
            + ": a cdc origin has no preview (reading its changes would take them from the slot);"
            + " query the source table instead");
  }

  /**
   * Stops the engine. The last batch is confirmed to the source only if the lake holds it (a run
   * that stopped or failed right after a commit).
   */
  @Override
  public void close() {
    if (pending != null) {
      acknowledge(pendingOffset.equals(committed.apply(OFFSET)));
    }
    if (stream != null) {
      stream.close();
    }
  }
}
