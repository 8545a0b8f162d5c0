package dev.dataflow.sql.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Planned scans and their parsed relations, by table, snapshot and filter. A snapshot never
 * changes, so an entry never goes stale; the cache only bounds how many are kept. It saves reading
 * manifests and parsing long file lists again for every statement over the same snapshot.
 */
final class ScanCache {
  /** A planned scan and its relation as a DuckDB parse-tree node (to be copied before use). */
  record Entry(TableScan scan, JsonNode relation) {}

  private static final int CAPACITY = 512;

  private final Map<String, Entry> entries =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > CAPACITY;
        }
      };

  Entry get(String key, Function<String, Entry> plan) {
    synchronized (entries) {
      Entry entry = entries.get(key);
      if (entry != null) {
        return entry;
      }
    }
    // planned outside the lock: two statements may plan the same scan once each, which is harmless
    Entry entry = plan.apply(key);
    synchronized (entries) {
      entries.put(key, entry);
    }
    return entry;
  }
}
