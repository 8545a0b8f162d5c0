package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * Remembers the results of a pure function of a text, least recently used first out, within a
 * budget (characters of the keys plus each value's weight; keys are SQL texts and parse trees, some
 * of them long). Only for functions whose result depends on the key alone: nothing here is ever
 * invalidated. Safe for concurrent use.
 */
public final class Memo<V> {
  private final long budget;
  private final ToLongFunction<V> weigher;
  private final Map<String, V> entries = new LinkedHashMap<>(64, 0.75f, true);
  private long used;

  /** A memo of texts, weighed by their length. */
  public static Memo<String> ofText(long budgetChars) {
    return new Memo<>(budgetChars, String::length);
  }

  public Memo(long budget, ToLongFunction<V> weigher) {
    this.budget = budget;
    this.weigher = requireNonNull(weigher, "weigher is null");
  }

  /**
   * The remembered value, or {@code compute}'s, remembered when it fits a quarter of the budget. A
   * throwing {@code compute} leaves nothing behind. Two threads may compute the same key at once;
   * both get a correct value.
   */
  public V computeIfAbsent(String key, Function<String, V> compute) {
    requireNonNull(key, "key is null");
    synchronized (this) {
      V known = entries.get(key);
      if (known != null) {
        return known;
      }
    }
    // outside the lock: computing may take a DuckDB round trip
    V value = requireNonNull(compute.apply(key), "computed value is null");
    if (weight(key, value) <= budget / 4) {
      remember(key, value);
    }
    return value;
  }

  private synchronized void remember(String key, V value) {
    V replaced = entries.put(key, value);
    used += weight(key, value) - (replaced == null ? 0 : weight(key, replaced));
    Iterator<Map.Entry<String, V>> oldest = entries.entrySet().iterator();
    while (used > budget && oldest.hasNext()) {
      Map.Entry<String, V> entry = oldest.next();
      used -= weight(entry.getKey(), entry.getValue());
      oldest.remove();
    }
  }

  private long weight(String key, V value) {
    return key.length() + weigher.applyAsLong(value);
  }

  synchronized int size() {
    return entries.size();
  }
}
