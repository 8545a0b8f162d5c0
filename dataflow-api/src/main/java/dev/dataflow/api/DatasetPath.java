package dev.dataflow.api;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;

/**
 * The path of a catalog entry: a space, optional folders, and a name. Written with dots; a part
 * that holds a dot or a quote is double-quoted, as in SQL.
 */
public record DatasetPath(List<String> parts) {
  public DatasetPath {
    requireNonNull(parts, "parts is null");
    if (parts.isEmpty() || parts.stream().anyMatch(p -> p == null || p.isEmpty())) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "A path needs non-empty parts: " + parts);
    }
    parts = List.copyOf(parts);
  }

  public static DatasetPath of(String... parts) {
    return new DatasetPath(List.of(parts));
  }

  /** Parses {@code a.b."c.d"}; the inverse of {@link #toString()}. */
  public static DatasetPath parse(String text) {
    requireNonNull(text, "text is null");
    List<String> parts = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (quoted && c == '"' && i + 1 < text.length() && text.charAt(i + 1) == '"') {
        part.append('"');
        i++;
      } else if (c == '"') {
        quoted = !quoted;
      } else if (c == '.' && !quoted) {
        parts.add(part.toString());
        part.setLength(0);
      } else {
        part.append(c);
      }
    }
    if (quoted) {
      throw new DataflowException(ErrorCode.INVALID_ARGUMENT, "Unclosed quote in path: " + text);
    }
    parts.add(part.toString());
    return new DatasetPath(parts);
  }

  public String name() {
    return parts.get(parts.size() - 1);
  }

  /** The space and folders that hold this entry; empty for a space itself. */
  public List<String> parent() {
    return parts.subList(0, parts.size() - 1);
  }

  public DatasetPath child(String name) {
    List<String> child = new ArrayList<>(parts);
    child.add(name);
    return new DatasetPath(child);
  }

  @Override
  public String toString() {
    StringBuilder out = new StringBuilder();
    for (String part : parts) {
      if (out.length() > 0) {
        out.append('.');
      }
      out.append(quoteIfNeeded(part));
    }
    return out.toString();
  }

  /** Quotes an identifier for SQL when it is not a plain lower-case name. */
  public static String quoteIfNeeded(String part) {
    return part.matches("[a-z_][a-z0-9_]*") ? part : '"' + part.replace("\"", "\"\"") + '"';
  }
}
