package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.util.function.Predicate;

/**
 * A rule a converted value must satisfy. {@code description} completes "must be …" in both the
 * error message and the reference documentation, so the two never disagree.
 */
public record ValueCheck(String description, Predicate<Object> test) {
  public ValueCheck {
    requireNonNull(description, "description is null");
    requireNonNull(test, "test is null");
  }

  public static ValueCheck of(String description, Predicate<Object> test) {
    return new ValueCheck(description, test);
  }
}
