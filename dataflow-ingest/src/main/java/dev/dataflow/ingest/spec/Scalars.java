package dev.dataflow.ingest.spec;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Converts scalar text to the Java value of a {@link ConfigType}; shared by YAML values and
 * defaults.
 */
final class Scalars {
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h|d)");

  private Scalars() {}

  /** The value of {@code text} as {@code type}, or null when it is not one. */
  static Object parse(ConfigType type, String text) {
    return switch (type) {
      case STRING -> text;
      case SECRET -> Secret.of(text);
      case INT -> parseInt(text);
      case DOUBLE -> parseDouble(text);
      case BOOLEAN -> parseBoolean(text);
      case DURATION -> parseDuration(text);
      default -> throw new IllegalArgumentException(type + " is not a scalar type");
    };
  }

  static String expected(ConfigType type) {
    return switch (type) {
      case INT -> "expected an integer";
      case DOUBLE -> "expected a number";
      case BOOLEAN -> "expected true or false";
      case DURATION -> "expected a duration such as 500ms, 30s, 5m, 1h or 2d";
      default -> "expected a " + type.displayName();
    };
  }

  private static Integer parseInt(String text) {
    try {
      return Integer.valueOf(text.replace("_", ""));
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Double parseDouble(String text) {
    try {
      double value = Double.parseDouble(text.replace("_", ""));
      return Double.isFinite(value) ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static Boolean parseBoolean(String text) {
    // The YAML 1.1 spellings SnakeYAML resolves as booleans; anything else is not one.
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "yes", "on" -> Boolean.TRUE;
      case "false", "no", "off" -> Boolean.FALSE;
      default -> null;
    };
  }

  static Duration parseDuration(String text) {
    Matcher matcher = DURATION.matcher(text);
    if (!matcher.matches()) {
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
