package dev.dataflow.ingest.spec;

import static java.util.Objects.requireNonNull;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A credential as written in a pipeline file: either a reference {@code ${env:NAME}}, resolved only
 * by the runtime that uses it, or a literal. {@code toString} shows a reference but never a
 * literal, so specs can be logged safely.
 */
public final class Secret {
  static final Pattern REFERENCE = Pattern.compile("\\$\\{env:([A-Za-z_][A-Za-z0-9_]*)}");

  private final String text;

  private Secret(String text) {
    this.text = text;
  }

  public static Secret of(String text) {
    return new Secret(requireNonNull(text, "text is null"));
  }

  /**
   * Whether {@code text} looks like an attempted reference that is not of the form {@code
   * ${env:NAME}}.
   */
  static boolean isMalformedReference(String text) {
    return text.contains("${") && !REFERENCE.matcher(text).matches();
  }

  public boolean isReference() {
    return REFERENCE.matcher(text).matches();
  }

  /** The environment variable named by a reference, or null for a literal. */
  public String environmentVariable() {
    Matcher matcher = REFERENCE.matcher(text);
    return matcher.matches() ? matcher.group(1) : null;
  }

  /**
   * The value for the connector that needs it, never for logs: the literal, or the environment
   * variable a reference names (null when that is not set).
   */
  public String value() {
    String name = environmentVariable();
    return name == null ? text : System.getenv(name);
  }

  /** The text as written; for the connector that needs it, never for logs. */
  public String reveal() {
    return text;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret secret && secret.text.equals(text);
  }

  @Override
  public int hashCode() {
    return text.hashCode();
  }

  @Override
  public String toString() {
    return isReference() ? text : "******";
  }
}
