package dev.dataflow.sql.parse;

/**
 * One lexical token of a statement; {@code start} and {@code end} are offsets into the statement.
 */
record Token(Kind kind, String text, int start, int end) {
  enum Kind {
    WORD,
    QUOTED,
    STRING,
    NUMBER,
    SYMBOL
  }

  boolean isKeyword(String keyword) {
    return kind == Kind.WORD && text.equalsIgnoreCase(keyword);
  }

  boolean isSymbol(String symbol) {
    return kind == Kind.SYMBOL && text.equals(symbol);
  }

  boolean isIdentifier() {
    return kind == Kind.WORD || kind == Kind.QUOTED;
  }
}
