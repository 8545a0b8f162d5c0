package dev.dataflow.ml;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Which version of a model to use: {@code churn} (its latest version), {@code churn:3} (version 3)
 * or {@code churn@champion} (the version the alias points at). The same form is used by the CLI,
 * REST, deployments and SQL's {@code predict}.
 */
public record ModelRef(String model, int version, String alias) {
  private static final Pattern NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_-]{0,63}");

  /** No version: the latest one, unless an alias is named. */
  public static final int LATEST = 0;

  public static ModelRef parse(String text) {
    requireNonNull(text, "text is null");
    int at = text.indexOf('@');
    if (at >= 0) {
      return new ModelRef(
          checkName(text.substring(0, at), "model"),
          LATEST,
          checkName(text.substring(at + 1), "alias"));
    }
    int colon = text.indexOf(':');
    if (colon < 0) {
      return new ModelRef(checkName(text, "model"), LATEST, null);
    }
    return new ModelRef(
        checkName(text.substring(0, colon), "model"), version(text.substring(colon + 1)), null);
  }

  /** A version or alias of {@code model} given on its own ({@code 3}, {@code champion}). */
  public static ModelRef of(String model, String versionOrAlias) {
    checkName(model, "model");
    if (versionOrAlias == null || versionOrAlias.isBlank()) {
      return new ModelRef(model, LATEST, null);
    }
    return Character.isDigit(versionOrAlias.charAt(0))
        ? new ModelRef(model, version(versionOrAlias), null)
        : new ModelRef(model, LATEST, checkName(versionOrAlias, "alias"));
  }

  /** Checks a model or alias name: a letter, then letters, digits, _ or -, at most 64. */
  public static String checkName(String name, String what) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw Errors.invalid(
          "'"
              + name
              + "' is not a valid "
              + what
              + " name: start with a letter, then letters, digits, _ or - (at most 64)");
    }
    return name;
  }

  private static int version(String text) {
    try {
      int version = Integer.parseInt(text.trim());
      if (version > 0) {
        return version;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw Errors.invalid("'" + text + "' is not a model version (a number from 1)");
  }

  @Override
  public String toString() {
    return alias != null ? model + "@" + alias : version == LATEST ? model : model + ":" + version;
  }
}
