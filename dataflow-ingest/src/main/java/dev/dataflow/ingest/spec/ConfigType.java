package dev.dataflow.ingest.spec;

/**
 * The kinds of value a {@link ConfigField} holds, each with the name the reference documentation
 * shows.
 */
public enum ConfigType {
  STRING("string"),
  /**
   * A string that may be a credential: kept as written, never resolved, masked by {@code toString}.
   */
  SECRET("secret"),
  INT("integer"),
  DOUBLE("number"),
  BOOLEAN("boolean"),
  /** A whole number with a unit: {@code 30s}, {@code 5m}, {@code 1h}, {@code 2d}. */
  DURATION("duration"),
  STRING_LIST("list of strings"),
  STRING_MAP("map of string to string"),
  OBJECT("object"),
  OBJECT_LIST("list of objects");

  private final String displayName;

  ConfigType(String displayName) {
    this.displayName = displayName;
  }

  public String displayName() {
    return displayName;
  }

  /** Whether values of this type are written as a single YAML scalar. */
  public boolean isScalar() {
    return this != STRING_LIST && this != STRING_MAP && this != OBJECT && this != OBJECT_LIST;
  }
}
