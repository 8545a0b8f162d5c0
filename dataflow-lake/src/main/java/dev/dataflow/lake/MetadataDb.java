package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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

  private final Lake lake;
  private Connection connection;

  public MetadataDb(Lake lake) {
    this.lake = requireNonNull(lake, "lake is null");
  }

  /** Runs an INSERT, UPDATE or DELETE; returns the rows it changed. */
  public synchronized int update(String sql, Object... values) {
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      bind(statement, values);
      return statement.executeUpdate();
    } catch (SQLException e) {
      close();
      throw failure("write", e);
    }
  }

  public synchronized <T> List<T> query(String sql, RowMapper<T> mapper, Object... values) {
    try (PreparedStatement statement = connection().prepareStatement(sql)) {
      bind(statement, values);
      List<T> rows = new ArrayList<>();
      try (ResultSet result = statement.executeQuery()) {
        while (result.next()) {
          rows.add(mapper.map(result));
        }
      }
      return rows;
    } catch (SQLException e) {
      close();
      throw failure("read", e);
    }
  }

  /**
   * A failed statement: UNAVAILABLE when the store could not be reached (SQLSTATE class 08, a
   * connection exception), so callers answer 503 and retry; INTERNAL otherwise.
   */
  private static DataflowException failure(String what, SQLException e) {
    String state = e.getSQLState();
    boolean unreachable =
        (state != null && state.startsWith("08")) || e instanceof SQLTransientConnectionException;
    return new DataflowException(
        unreachable ? ErrorCode.UNAVAILABLE : ErrorCode.INTERNAL,
        (unreachable ? "Metadata store unreachable: " : "Metadata store " + what + " failed: ")
            + e.getMessage(),
        e);
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
