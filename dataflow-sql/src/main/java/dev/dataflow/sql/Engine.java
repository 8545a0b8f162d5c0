package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.parse.Position;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.iceberg.util.BucketUtil;
import org.duckdb.DuckDBConnection;
import org.duckdb.DuckDBFunctions;

/**
 * The in-process DuckDB that runs every statement. It is locked down once at start: no extension
 * can be installed or loaded, files are reachable only under the lake's directories, and the
 * configuration cannot be changed afterwards — so user SQL, already checked by the planner, has a
 * second fence.
 */
public final class Engine implements AutoCloseable {
  private final DuckDBConnection root;
  private final BufferAllocator allocator = new RootAllocator();
  private final EngineConfig config;
  // Jackson refuses a tree nested deeper than the plan limit while it reads it, before it is built
  private final ObjectMapper json;
  // the same statements are planned again and again (prepare, then execute; every pipeline batch):
  // parsing and rendering are pure functions of their text, and each is a DuckDB round trip
  private final Memo<String> parsed = Memo.ofText(8 << 20);
  private final Memo<String> rendered = Memo.ofText(8 << 20);

  public Engine(EngineConfig config, List<Path> allowedDirectories) {
    this.config = requireNonNull(config, "config is null");
    this.json =
        new ObjectMapper(
            JsonFactory.builder()
                .streamReadConstraints(
                    StreamReadConstraints.builder()
                        .maxNestingDepth(config.limits().maxDepth())
                        .maxStringLength(Integer.MAX_VALUE)
                        .build())
                // a bound tree is the limit deep below its statement, plus the few levels around
                // it and inside the table reads the planner puts in
                .streamWriteConstraints(
                    StreamWriteConstraints.builder()
                        .maxNestingDepth(config.limits().maxDepth() + 64)
                        .build())
                .build());
    try {
      Files.createDirectories(config.spillDirectory());
      // results are not streamed (jdbc_stream_results): DuckDB 2.0's JDBC driver then loses the
      // message of any error raised while the query runs ("Invalid result set" instead of the
      // conversion error). A materialized result lives in DuckDB's buffer pool, which spills.
      root = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:");
      registerFunctions();
      lockDown(allowedDirectories);
    } catch (SQLException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot start DuckDB: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void lockDown(List<Path> allowedDirectories) throws SQLException {
    StringBuilder allowed = new StringBuilder();
    for (Path directory : allowedDirectories) {
      allowed.append(allowed.length() == 0 ? "" : ", ").append(literal(directory + "/"));
    }
    allowed.append(", ").append(literal(config.spillDirectory() + "/"));
    try (Statement statement = root.createStatement()) {
      statement.execute("SET memory_limit = " + literal(config.memoryLimit()));
      statement.execute("SET threads = " + config.threads());
      // an expression level is about three levels of the serialized tree the planner limits, so
      // DuckDB's own parser refuses only what the planner would refuse too
      statement.execute("SET max_expression_depth = " + config.limits().maxDepth());
      statement.execute("SET temp_directory = " + literal(config.spillDirectory().toString()));
      // partition transforms (day, hour) are defined in UTC
      statement.execute("SET TimeZone = 'UTC'");
      // Iceberg data files are immutable, so their Parquet footers can be cached safely
      statement.execute("SET parquet_metadata_cache = true");
      statement.execute("SET autoinstall_known_extensions = false");
      statement.execute("SET autoload_known_extensions = false");
      statement.execute("SET allowed_directories = [" + allowed + "]");
      statement.execute("SET enable_external_access = false");
      statement.execute("SET lock_configuration = true");
    }
  }

  /**
   * Iceberg's bucket hash (non-negative), so partitioned writes place rows exactly as any Iceberg
   * engine would: bucket N of a value is {@code df_bucket_hash(value) % N}.
   */
  private void registerFunctions() throws SQLException {
    DuckDBFunctions.scalarFunction()
        .withName("df_bucket_hash")
        .withParameter(Long.class)
        .withReturnType(Integer.class)
        .withFunction(
            (Long value) -> value == null ? null : BucketUtil.hash(value) & Integer.MAX_VALUE)
        .register(root);
    DuckDBFunctions.scalarFunction()
        .withName("df_bucket_hash_string")
        .withParameter(String.class)
        .withReturnType(Integer.class)
        .withFunction(
            (String value) -> value == null ? null : BucketUtil.hash(value) & Integer.MAX_VALUE)
        .register(root);
  }

  public EngineConfig config() {
    return config;
  }

  /** A new connection to the shared database; each statement runs on its own. */
  public DuckDBConnection connect() {
    try {
      return root.duplicate();
    } catch (SQLException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot open a DuckDB connection", e);
    }
  }

  public BufferAllocator allocator() {
    return allocator;
  }

  /**
   * Parses a query with DuckDB's own parser into its JSON tree. A syntax error is reported at its
   * line and column in {@code source}, the query starting at {@code offset} there.
   */
  public JsonNode parseQuery(Connection connection, String query, String source, int offset) {
    String json =
        parsed.computeIfAbsent(
            query, text -> scalar(connection, "SELECT json_serialize_sql(?)", text));
    try {
      JsonNode tree = this.json.readTree(json);
      if (tree.path("error").asBoolean(false)) {
        String type = tree.path("error_type").asText();
        if (tree.path("error_message").asText().startsWith("Max expression depth limit")) {
          throw config.limits().tooDeep();
        }
        if (!type.equals("parser")) {
          throw new DataflowException(
              ErrorCode.NOT_ALLOWED,
              "Only queries can stand here: " + tree.path("error_message").asText());
        }
        Position position = Position.of(source, offset + tree.path("position").asInt(0));
        throw new DataflowException(
            ErrorCode.SYNTAX_ERROR,
            "Syntax error: " + tree.path("error_message").asText(),
            position.line(),
            position.column(),
            null);
      }
      return tree;
    } catch (StreamConstraintsException e) {
      throw config.limits().tooDeep();
    } catch (IOException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Unreadable parse tree", e);
    }
  }

  /** Turns a (rewritten) parse tree back into SQL text for DuckDB to run. */
  public String render(Connection connection, JsonNode tree) {
    String text;
    try {
      text = json.writeValueAsString(tree);
    } catch (StreamConstraintsException e) {
      throw config.limits().tooDeep();
    } catch (IOException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Unwritable parse tree", e);
    }
    return rendered.computeIfAbsent(
        text, sql -> scalar(connection, "SELECT json_deserialize_sql(?::JSON)", sql));
  }

  private static String scalar(Connection connection, String sql, String argument) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setString(1, argument);
      try (ResultSet rows = statement.executeQuery()) {
        rows.next();
        return rows.getString(1);
      }
    } catch (SQLException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "DuckDB parser failed: " + e.getMessage(), e);
    }
  }

  /** A SQL string literal. */
  public static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  /** A SQL identifier, always quoted. */
  public static String identifier(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }

  @Override
  public void close() {
    try {
      root.close();
    } catch (SQLException e) {
      // closing at shutdown: nothing to hand the error to
    }
    allocator.close();
  }
}
