package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;

/**
 * Dataflow's own tables in the catalog database (jobs, pipelines, runs). Statements are short and
 * frequent, so one connection is kept open and shared; the database serializes writes anyway. A
 * failed connection is dropped and the next call opens a fresh one.
 */
public final class MetadataDb implements AutoCloseable {
  /** Reads one row of a result. */
  public interface RowMapper<T> {
    T map(ResultSet row) throws SQLException;
  }

  /**
   * The SQLSTATEs of a PostgreSQL server shutting down or restarting, which a kept connection
   * learns at its next statement, before that statement runs.
   */
  static final List<String> SHUTTING_DOWN = List.of("57P01", "57P02", "57P03");

  private final Lake lake;
  private Connection connection;

  public MetadataDb(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /** What a statement does once prepared and bound. */
  private interface Work<T> {
    T run(PreparedStatement statement) throws SQLException;
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
  public synchronized int update(String sql, Object... values) {
    return execute("write", false, sql, values, PreparedStatement::executeUpdate);
  }

  public synchronized <T> List<T> query(String sql, RowMapper<T> mapper, Object... values) {
    return execute(
        "read",
        true,
        sql,
        values,
        statement -> {
          List<T> rows = new ArrayList<>();
          try (ResultSet result = statement.executeQuery()) {
            while (result.next()) {
              rows.add(mapper.map(result));
            }
          }
          return rows;
        });
  }

  /**
   * Runs a statement on the kept connection. When that connection turns out dead (the store
   * restarted since it was opened) the statement runs once more on a new one: a read always, a
   * write only when the server refused it before running it (it was shutting down), so a write is
   * never applied twice.
   */
  private <T> T execute(String what, boolean read, String sql, Object[] values, Work<T> work) {
    boolean kept = connection != null;
    try {
      return attempt(sql, values, work);
    } catch (SQLException e) {
      close();
      if (!kept || !(read ? unreachable(e) : refusedBeforeRunning(e))) {
        throw failure(what, e);
      }
    }
    try {
      return attempt(sql, values, work);
    } catch (SQLException e) {
      close();
      throw failure(what, e);
    }
  }

  private <T> T attempt(String sql, Object[] values, Work<T> work) throws SQLException {
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      bind(statement, values);
      return work.run(statement);
    }
  }

  /** The server ended the connection as it shut down (SQLSTATE 57P01 to 57P03). */
  private static boolean refusedBeforeRunning(SQLException e) {
    // List.of refuses to look for null, the state of most driver-side failures
    return e.getSQLState() != null && SHUTTING_DOWN.contains(e.getSQLState());
  }

  /**
   * A failed statement: UNAVAILABLE when the store could not be reached, so callers answer 503 and
   * retry; INTERNAL otherwise.
   */
  private static DataflowException failure(String what, SQLException e) {
    boolean unreachable = unreachable(e);
    return new DataflowException(
        unreachable ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
        (unreachable ? "Metadata store unreachable: " : "Metadata store " + what + " failed: ")
            + e.getMessage(),
        e);
  }

  /**
   * Whether a failure, or one of its causes, is the metadata store out of reach: a connection
   * exception (SQLSTATE class 08), the server shutting down or restarting (57P01 to 57P03, as a
   * pooled connection learns it) or a JDBC connection failure; never a statement's own error.
   */
  public static boolean unreachable(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof SQLTransientConnectionException
          || cause instanceof SQLNonTransientConnectionException
          || cause instanceof SQLRecoverableException) {
        return true;
      }
      if (cause instanceof SQLException e
          && e.getSQLState() != null
          && (e.getSQLState().startsWith("08") || refusedBeforeRunning(e))) {
        return true;
      }
    }
    return false;
  }

  /** A nullable BIGINT column. */
  public static Long nullableLong(ResultSet row, String column) throws SQLException {
    long value = row.getLong(column);
    return row.wasNull() ? null : value;
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = lake.metadataConnection();
    }
    return connection;
  }

  private static void bind(PreparedStatement statement, Object... values) throws SQLException {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == null) {
        // untyped: PostgreSQL takes the column's type, where a VARCHAR null fails a BIGINT column
        statement.setNull(i + 1, Types.NULL);
      } else {
        statement.setObject(i + 1, values[i]);
      }
    }
  }

  @Override
  public synchronized void close() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // closing a broken connection: nothing left to save
      }
      connection = null;
    }
  }
}
