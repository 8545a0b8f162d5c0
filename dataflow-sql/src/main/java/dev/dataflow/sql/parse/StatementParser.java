package dev.dataflow.sql.parse;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads the statement prefix that DuckDB's parser cannot hand back as a tree (its {@code
 * json_serialize_sql} only takes SELECT), and refuses everything that would reach outside the
 * catalog. The query part of every statement is parsed by DuckDB itself later.
 */
public final class StatementParser {
  private static final Set<String> QUERY_STARTS = Set.of("select", "with", "values", "from", "(");
  private static final Set<String> TRANSFORMS = Set.of("day", "month", "year", "hour");

  private final String sql;
  private final List<Token> tokens;
  private int index;

  private StatementParser(String sql) {
    this.sql = sql;
    this.tokens = withoutTrailingSemicolons(SqlTokenizer.tokenize(sql));
  }

  public static Statement parse(String sql) {
    requireNonNull(sql, "sql is null");
    return new StatementParser(sql).statement();
  }

  private static List<Token> withoutTrailingSemicolons(List<Token> tokens) {
    int end = tokens.size();
    while (end > 0 && tokens.get(end - 1).isSymbol(";")) {
      end--;
    }
    return tokens.subList(0, end);
  }

  private Statement statement() {
    if (tokens.isEmpty()) {
      throw new DataflowException(ErrorCode.SYNTAX_ERROR, "The statement is empty");
    }
    for (int i = 0; i < tokens.size(); i++) {
      if (tokens.get(i).isSymbol(";")) {
        throw error("Submit one statement at a time; found a second one after ';'", tokens.get(i));
      }
    }
    Token first = peek();
    if (QUERY_STARTS.contains(first.text().toLowerCase())) {
      return query();
    }
    if (first.isKeyword("create")) {
      return create();
    }
    if (first.isKeyword("insert")) {
      return insert();
    }
    if (first.isKeyword("drop")) {
      return drop();
    }
    throw refused(first);
  }

  private DataflowException refused(Token first) {
    String word = first.text().toUpperCase();
    return new DataflowException(
        ErrorCode.NOT_ALLOWED,
        word
            + " is not allowed: Dataflow runs queries (SELECT/WITH/VALUES), CREATE TABLE … AS,"
            + " INSERT INTO … SELECT, DROP TABLE, CREATE [OR REPLACE] VIEW and DROP VIEW over catalog"
            + " datasets",
        position(first).line(),
        position(first).column(),
        null);
  }

  private Statement.Query query() {
    int start = peek().start();
    int end = tokens.get(tokens.size() - 1).end();
    index = tokens.size();
    return new Statement.Query(sql, start, sql.substring(start, end));
  }

  private Statement create() {
    expect("create");
    boolean replace = false;
    if (accept("or")) {
      expect("replace");
      replace = true;
    }
    if (accept("view")) {
      DatasetPath path = path();
      expect("as");
      return new Statement.CreateView(path, replace, query());
    }
    if (!accept("table")) {
      throw refused(peek());
    }
    boolean ifNotExists = false;
    if (accept("if")) {
      expect("not");
      expect("exists");
      ifNotExists = true;
    }
    DatasetPath path = path();
    List<Statement.PartitionField> partitioning = List.of();
    if (accept("partitioned")) {
      expect("by");
      partitioning = partitioning();
    }
    expect("as");
    return new Statement.CreateTableAs(path, replace, ifNotExists, partitioning, query());
  }

  private List<Statement.PartitionField> partitioning() {
    expectSymbol("(");
    List<Statement.PartitionField> fields = new ArrayList<>();
    do {
      fields.add(partitionField());
    } while (acceptSymbol(","));
    expectSymbol(")");
    return List.copyOf(fields);
  }

  private Statement.PartitionField partitionField() {
    Token name = identifier();
    if (!acceptSymbol("(")) {
      return new Statement.PartitionField("identity", name.text(), 0);
    }
    String transform = name.text().toLowerCase();
    Statement.PartitionField field;
    if (TRANSFORMS.contains(transform)) {
      field = new Statement.PartitionField(transform, identifier().text(), 0);
    } else if (transform.equals("bucket") || transform.equals("truncate")) {
      int width = number();
      expectSymbol(",");
      field = new Statement.PartitionField(transform, identifier().text(), width);
    } else {
      throw error(
          "Unknown partition transform "
              + name.text()
              + ": use a column, day(c), month(c), year(c), hour(c), bucket(n, c) or truncate(n, c)",
          name);
    }
    expectSymbol(")");
    return field;
  }

  private Statement insert() {
    expect("insert");
    expect("into");
    DatasetPath path = path();
    List<String> columns = new ArrayList<>();
    // "(" starts either a column list or a parenthesized query
    if (peek().isSymbol("(")
        && index + 1 < tokens.size()
        && tokens.get(index + 1).isIdentifier()
        && !QUERY_STARTS.contains(tokens.get(index + 1).text().toLowerCase())) {
      expectSymbol("(");
      do {
        columns.add(identifier().text());
      } while (acceptSymbol(","));
      expectSymbol(")");
    }
    return new Statement.InsertInto(path, List.copyOf(columns), query());
  }

  private Statement drop() {
    expect("drop");
    boolean table = accept("table");
    if (!table && !accept("view")) {
      throw refused(peek());
    }
    boolean ifExists = false;
    if (accept("if")) {
      expect("exists");
      ifExists = true;
    }
    DatasetPath path = path();
    end();
    return table ? new Statement.DropTable(path, ifExists) : new Statement.DropView(path, ifExists);
  }

  private DatasetPath path() {
    List<String> parts = new ArrayList<>();
    do {
      parts.add(identifier().text());
    } while (acceptSymbol("."));
    return new DatasetPath(parts);
  }

  private Token identifier() {
    Token token = peek();
    if (!token.isIdentifier()) {
      throw error("Expected a name but found '" + token.text() + "'", token);
    }
    index++;
    return token;
  }

  private int number() {
    Token token = peek();
    if (token.kind() != Token.Kind.NUMBER) {
      throw error("Expected a number but found '" + token.text() + "'", token);
    }
    index++;
    return Integer.parseInt(token.text());
  }

  private void end() {
    if (index < tokens.size()) {
      throw error("Unexpected '" + peek().text() + "' after the end of the statement", peek());
    }
  }

  private Token peek() {
    if (index >= tokens.size()) {
      Position position = Position.of(sql, sql.length());
      throw new DataflowException(
          ErrorCode.SYNTAX_ERROR,
          "The statement ends too early",
          position.line(),
          position.column(),
          null);
    }
    return tokens.get(index);
  }

  private boolean accept(String keyword) {
    if (index < tokens.size() && tokens.get(index).isKeyword(keyword)) {
      index++;
      return true;
    }
    return false;
  }

  private boolean acceptSymbol(String symbol) {
    if (index < tokens.size() && tokens.get(index).isSymbol(symbol)) {
      index++;
      return true;
    }
    return false;
  }

  private void expect(String keyword) {
    if (!accept(keyword)) {
      Token token = peek();
      throw error("Expected " + keyword.toUpperCase() + " but found '" + token.text() + "'", token);
    }
  }

  private void expectSymbol(String symbol) {
    if (!acceptSymbol(symbol)) {
      Token token = peek();
      throw error("Expected '" + symbol + "' but found '" + token.text() + "'", token);
    }
  }

  private Position position(Token token) {
    return Position.of(sql, token.start());
  }

  private DataflowException error(String message, Token token) {
    Position position = position(token);
    return new DataflowException(
        ErrorCode.SYNTAX_ERROR, message, position.line(), position.column(), null);
  }
}
