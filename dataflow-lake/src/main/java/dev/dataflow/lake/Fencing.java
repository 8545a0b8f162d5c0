package dev.dataflow.lake;

import java.util.HashMap;
import java.util.Map;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotAncestryValidator;
import org.apache.iceberg.SnapshotUpdate;

/**
 * Fencing tokens in snapshot summaries: a commit carrying {@code dataflow.fence.NAME = EPOCH} is
 * refused when the table's latest commit carrying the same key has a higher epoch. The check runs
 * on the snapshot the commit is applied to, on every retry, so it holds under concurrent commits:
 * once a new lease holder has committed, a paused old holder can never commit again.
 */
public final class Fencing {
  public static final String PREFIX = "dataflow.fence.";

  private Fencing() {}

  /** The summary property of a lease's epoch. */
  public static String key(String lease) {
    return PREFIX + lease;
  }

  /** Sets {@code summary} on the update, and refuses it if a fence in it was passed since. */
  public static void apply(SnapshotUpdate<?> update, Map<String, String> summary) {
    summary.forEach(update::set);
    Map<String, Long> fences = new HashMap<>();
    summary.forEach(
        (key, value) -> {
          if (key.startsWith(PREFIX)) {
            fences.put(key, Long.parseLong(value));
          }
        });
    if (!fences.isEmpty()) {
      // an update keeps one validator: it checks every fence
      update.validateWith(new Validator(Map.copyOf(fences)));
    }
  }

  private record Validator(Map<String, Long> fences) implements SnapshotAncestryValidator {
    @Override
    public boolean validate(Iterable<Snapshot> ancestors) {
      Map<String, Long> open = new HashMap<>(fences);
      for (Snapshot snapshot : ancestors) {
        if (open.isEmpty()) {
          return true;
        }
        for (var it = open.entrySet().iterator(); it.hasNext(); ) {
          var fence = it.next();
          String passed = snapshot.summary().get(fence.getKey());
          if (passed != null) {
            if (Long.parseLong(passed) > fence.getValue()) {
              return false;
            }
            it.remove();
          }
        }
      }
      return true;
    }

    @Override
    public String errorMessage() {
      return "A lease ("
          + String.join(", ", fences.keySet()).replace(PREFIX, "")
          + ") moved to a newer holder: this process lost it, and its commit is refused";
    }
  }
}
