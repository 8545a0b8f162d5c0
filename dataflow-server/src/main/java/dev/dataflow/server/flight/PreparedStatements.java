package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.ByteString;
import dev.dataflow.api.ErrorCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The prepared statements clients hold, by handle. A handle is usable only by the principal that
 * prepared it. Clients normally close their statements; those that vanish without doing so are
 * forgotten after {@link #IDLE} without use.
 */
final class PreparedStatements {
  static final Duration IDLE = Duration.ofHours(1);

  private final Map<ByteString, Prepared> statements = new ConcurrentHashMap<>();

  /** One prepared statement. The parameters bound last stay bound, as JDBC expects. */
  static final class Prepared {
    private final String principal;
    private final String sql;
    private final StatementShape shape;
    private volatile List<Object> parameters = List.of();
    private volatile long lastUsed;

    private Prepared(String principal, String sql, StatementShape shape, long now) {
      this.principal = principal;
      this.sql = sql;
      this.shape = shape;
      this.lastUsed = now;
    }

    String sql() {
      return sql;
    }

    StatementShape shape() {
      return shape;
    }

    List<Object> parameters() {
      return parameters;
    }

    void bind(List<Object> values) {
      parameters = values;
    }
  }

  ByteString add(String principal, String sql, StatementShape shape, long now) {
    requireNonNull(principal, "principal is null");
    ByteString handle = ByteString.copyFromUtf8(UUID.randomUUID().toString());
    statements.put(handle, new Prepared(principal, sql, shape, now));
    return handle;
  }

  Prepared find(ByteString handle, String principal, long now) {
    Prepared prepared = statements.get(handle);
    if (prepared == null || !prepared.principal.equals(principal)) {
      throw FlightErrors.of(
          ErrorCode.NOT_FOUND, "The prepared statement is closed or has expired: prepare it again");
    }
    prepared.lastUsed = now;
    return prepared;
  }

  void remove(ByteString handle, String principal) {
    statements.computeIfPresent(handle, (h, p) -> p.principal.equals(principal) ? null : p);
  }

  void expire(long now) {
    statements.values().removeIf(p -> now - p.lastUsed > IDLE.toMillis());
  }

  void clear() {
    statements.clear();
  }
}
