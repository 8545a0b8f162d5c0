package dev.dataflow.sql.plan;

import dev.dataflow.api.DatasetPath;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Planned queries by text, each with what every name it bound resolved to. Binding the same text to
 * the same datasets gives the same plan, so a plan is reused while each of those names still
 * resolves to the same metadata file: checking that costs one catalog lookup per dataset, against
 * parsing, binding and rendering the whole query again (a prepared statement is planned when
 * prepared and again when executed; a pipeline plans its stages for every batch).
 */
final class PlanCache {
  /** The identity of a name that resolved to no dataset. */
  static final String ABSENT = "absent";

  private static final int CAPACITY = 256;

  /** A plan and the identities of the datasets it was bound to, by the names written. */
  record Entry(PlannedQuery planned, Map<DatasetPath, String> identities) {
    Entry {
      identities = Map.copyOf(identities);
    }

    boolean isCurrent(Function<DatasetPath, String> identity) {
      return identities.entrySet().stream()
          .allMatch(name -> name.getValue().equals(identity.apply(name.getKey())));
    }
  }

  private final Map<String, Entry> entries =
      new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
          return size() > CAPACITY;
        }
      };

  synchronized Entry get(String key) {
    return entries.get(key);
  }

  synchronized void put(String key, Entry entry) {
    entries.put(key, entry);
  }
}
