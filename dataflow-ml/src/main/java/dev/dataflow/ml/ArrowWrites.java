package dev.dataflow.ml;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.TableWriter.WriteResult;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;

/**
 * Writes Arrow batches into a lake table: DuckDB pulls them from the reader into a temporary table
 * (spilling if large), and the table writer commits that as one Iceberg snapshot.
 */
public final class ArrowWrites {
  /** What to do when the table exists. */
  public enum Mode {
    /** Fail with ALREADY_EXISTS. */
    CREATE,
    /** Drop it and create it anew. */
    REPLACE,
    /** Add the rows (creating the table when absent). */
    APPEND
  }

  private ArrowWrites() {}

  public static WriteResult write(
      SqlService sql, DatasetPath path, Mode mode, Function<BufferAllocator, ArrowReader> rows) {
    requireNonNull(path, "path is null");
    String name = "df_ml_" + UUID.randomUUID().toString().replace("-", "");
    try (DuckDBConnection connection = sql.engine().connect();
        BufferAllocator allocator =
            sql.engine().allocator().newChildAllocator(name, 0, Long.MAX_VALUE);
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
        Statement statement = connection.createStatement()) {
      try (ArrowReader reader = rows.apply(allocator)) {
        Data.exportArrayStream(allocator, reader, stream);
        connection.registerArrowStream(name + "_stream", stream);
        statement.execute("CREATE TEMP TABLE " + name + " AS SELECT * FROM " + name + "_stream");
      }
      return commit(sql, path, mode, statement, "SELECT * FROM " + name);
    } catch (SQLException e) {
      throw new DataflowException(
          ErrorCode.INTERNAL, "Cannot write " + path + ": " + e.getMessage(), e);
    } catch (IOException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot read rows for " + path, e);
    }
  }

  private static WriteResult commit(
      SqlService sql, DatasetPath path, Mode mode, Statement statement, String rows) {
    boolean exists = sql.lake().tableOrNull(path) != null;
    if (exists && mode == Mode.CREATE) {
      throw new DataflowException(
          ErrorCode.ALREADY_EXISTS,
          "Table " + path + " already exists (replace it, or name another)");
    }
    if (exists && mode == Mode.APPEND) {
      return sql.writer().insert(statement, sql.lake().table(path), List.of(), rows, Map.of());
    }
    if (exists) {
      sql.lake().dropTable(path);
    }
    sql.views().checkFree(path, false);
    return sql.writer().createTableAs(statement, path, List.of(), rows);
  }
}
