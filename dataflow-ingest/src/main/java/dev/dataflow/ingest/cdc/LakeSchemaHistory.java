package dev.dataflow.ingest.cdc;

import io.debezium.config.Configuration;
import io.debezium.document.DocumentReader;
import io.debezium.document.DocumentWriter;
import io.debezium.relational.history.AbstractSchemaHistory;
import io.debezium.relational.history.HistoryRecord;
import io.debezium.relational.history.HistoryRecordComparator;
import io.debezium.relational.history.SchemaHistoryException;
import io.debezium.relational.history.SchemaHistoryListener;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The schema history of a MySQL/MariaDB change stream (the DDL Debezium has seen, which it replays
 * to decode binlog rows), kept with the lake data: it starts from the history committed in the
 * pipeline's last Iceberg snapshot ({@link #RECORDS}, one JSON document a line) and the reader
 * commits it again whenever it grew. A local file would be lost with the machine, and the history
 * must match the committed binlog position; records newer than that position are harmless, as
 * Debezium skips them when it recovers. Debezium creates it by class name, so the reader finds the
 * instance of its engine through {@link #ID}.
 */
public final class LakeSchemaHistory extends AbstractSchemaHistory {
  static final String RECORDS = "schema.history.internal.dataflow.records";
  static final String ID = "schema.history.internal.dataflow.id";
  private static final Map<String, LakeSchemaHistory> RUNNING = new ConcurrentHashMap<>();

  private final List<String> records = new CopyOnWriteArrayList<>();
  private String id;

  @Override
  public void configure(
      Configuration config,
      HistoryRecordComparator comparator,
      SchemaHistoryListener listener,
      boolean useCatalogBeforeSchema) {
    super.configure(config, comparator, listener, useCatalogBeforeSchema);
    String committed = config.getString(RECORDS);
    if (committed != null && !committed.isEmpty()) {
      records.addAll(List.of(committed.split("\n")));
    }
    id = config.getString(ID);
    RUNNING.put(id, this);
  }

  /** The history of the engine started with {@code id}, as committed text, or null. */
  static String text(String id) {
    LakeSchemaHistory history = RUNNING.get(id);
    return history == null ? null : String.join("\n", history.records);
  }

  @Override
  protected void storeRecord(HistoryRecord record) throws SchemaHistoryException {
    // one line per record: the writer's compact JSON has no line breaks
    try {
      records.add(DocumentWriter.defaultWriter().write(record.document()));
    } catch (IOException e) {
      throw new SchemaHistoryException("Cannot write a schema history record: " + e, e);
    }
  }

  @Override
  protected void recoverRecords(Consumer<HistoryRecord> consumer) {
    DocumentReader reader = DocumentReader.defaultReader();
    for (String line : records) {
      try {
        consumer.accept(new HistoryRecord(reader.read(line)));
      } catch (IOException e) {
        throw new SchemaHistoryException("Unreadable committed schema history: " + e, e);
      }
    }
  }

  @Override
  public void stop() {
    RUNNING.remove(id, this);
    super.stop();
  }

  @Override
  public boolean storageExists() {
    return true;
  }

  @Override
  public boolean exists() {
    return !records.isEmpty();
  }
}
