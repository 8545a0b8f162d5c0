package dev.dataflow.ingest.cdc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.connect.runtime.WorkerConfig;
import org.apache.kafka.connect.storage.MemoryOffsetBackingStore;

/**
 * Debezium's offset store for a pipeline: it starts from the offset committed with the lake data
 * (passed in the engine's properties {@link #KEY} and {@link #VALUE}) and keeps later ones in
 * memory only, because the lake commit is where offsets live. Debezium creates it by class name.
 */
public final class CommittedOffsets extends MemoryOffsetBackingStore {
  static final String KEY = "dataflow.offset.key";
  static final String VALUE = "dataflow.offset.value";

  @Override
  public void configure(WorkerConfig config) {
    super.configure(config);
    Map<String, Object> properties = config.originals();
    Object key = properties.get(KEY);
    Object value = properties.get(VALUE);
    if (key != null && value != null) {
      data.put(bytes(key), bytes(value));
    }
  }

  /** Only Kafka Connect's distributed herder asks this; the embedded engine does not. */
  @Override
  public Set<Map<String, Object>> connectorPartitions(String connector) {
    return Set.of();
  }

  private static ByteBuffer bytes(Object text) {
    return ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
  }
}
