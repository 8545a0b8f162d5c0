package dev.dataflow.sql.parse;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits SQL into tokens, skipping comments, so that the statement prefix (CREATE TABLE … AS,
 * INSERT INTO …) can be read exactly; the query that follows is left to DuckDB's own parser.
 */
final class SqlTokenizer {
  private final String sql;
  private int pos;

  private SqlTokenizer(String sql) {
    this.sql = sql;
  }

  static List<Token> tokenize(String sql) {
    return new SqlTokenizer(sql).all();
  }

  private List<Token> all() {
    List<Token> tokens = new ArrayList<>();
    while (skipSpaceAndComments()) {
      tokens.add(next());
    }
    return tokens;
  }

  private boolean skipSpaceAndComments() {
    while (pos < sql.length()) {
      char c = sql.charAt(pos);
      if (Character.isWhitespace(c)) {
        pos++;
      } else if (sql.startsWith("--", pos)) {
        int newline = sql.indexOf('\n', pos);
        pos = newline < 0 ? sql.length() : newline + 1;
      } else if (sql.startsWith("/*", pos)) {
        int close = sql.indexOf("*/", pos + 2);
        if (close < 0) {
          throw error("Unclosed comment", pos);
        }
        pos = close + 2;
      } else {
        return true;
      }
    }
    return false;
  }

  private Token next() {
    int start = pos;
    char c = sql.charAt(pos);
    if (c == '\'' || c == '"') {
      String text = quoted(c);
      return new Token(c == '"' ? Token.Kind.QUOTED : Token.Kind.STRING, text, start, pos);
    }
    if (Character.isLetter(c) || c == '_') {
      while (pos < sql.length() && isWordPart(sql.charAt(pos))) {
        pos++;
      }
      return new Token(Token.Kind.WORD, sql.substring(start, pos), start, pos);
    }
    if (Character.isDigit(c)) {
      while (pos < sql.length() && (Character.isDigit(sql.charAt(pos)) || sql.charAt(pos) == '.')) {
        pos++;
      }
      return new Token(Token.Kind.NUMBER, sql.substring(start, pos), start, pos);
    }
    pos++;
    return new Token(Token.Kind.SYMBOL, String.valueOf(c), start, pos);
  }

  private static boolean isWordPart(char c) {
    return Character.isLetterOrDigit(c) || c == '_' || c == '$';
  }

  private String quoted(char quote) {
    StringBuilder text = new StringBuilder();
    int start = pos++;
    while (pos < sql.length()) {
      char c = sql.charAt(pos++);
      if (c != quote) {
        text.append(c);
      } else if (pos < sql.length() && sql.charAt(pos) == quote) {
        text.append(quote);
        pos++;
      } else {
        return text.toString();
      }
    }
    throw error(quote == '"' ? "Unclosed quoted identifier" : "Unclosed string literal", start);
  }

  private DataflowException error(String message, int offset) {
    Position position = Position.of(sql, offset);
    return new DataflowException(
        ErrorCode.SYNTAX_ERROR, message, position.line(), position.column(), null);
  }
}
