package dev.dataflow.sql.parse;

/** A 1-based line and column in a statement's text. */
public record Position(int line, int column) {
  public static Position of(String text, int offset) {
    int line = 1;
    int column = 1;
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        column = 1;
      } else {
        column++;
      }
    }
    return new Position(line, column);
  }
}
