package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * Holds when the sibling field {@code field} has one of {@code values} (its default counts when
 * absent).
 */
public record Condition(String field, List<String> values) {
  public Condition {
    requireNonNull(field, "field is null");
    values = List.copyOf(requireNonNull(values, "values is null"));
  }

  public static Condition when(String field, String... values) {
    return new Condition(field, List.of(values));
  }

  public boolean test(ConfigObject object) {
    return values.contains(object.text(field));
  }

  @Override
  public String toString() {
    return field + " is " + String.join(" or ", values);
  }
}
