package dev.dataflow.ingest.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Whether the source still holds the changes after a pipeline's committed position. A MySQL or
 * MariaDB server expires and purges binlog files on its own; a PostgreSQL slot can be dropped, or
 * invalidated once it holds more WAL than {@code max_slot_wal_keep_size}. Resuming from a position
 * the source no longer has would skip the changes in between without a word (Debezium recreates a
 * dropped slot at the current end of the WAL), so this is checked before the engine starts.
 */
final class SourcePosition {
  private SourcePosition() {}

  /** What the source lost of {@code offset} (a committed Debezium offset), or empty. */
  static Optional<String> lost(PipelineSpec spec, String offset) {
    try (Connection connection = DebeziumConfig.connect(spec)) {
      return DebeziumConfig.binlog((CdcOrigin) spec.origin())
          ? lostBinlog(connection, DebeziumConfig.offset(offset))
          : lostSlot(connection, DebeziumConfig.slot(spec));
    } catch (SQLException e) {
      throw new DataflowException(
          ErrorCode.INTERNAL,
          "Pipeline "
              + spec.name()
              + ": cannot check the source still has the committed position: "
              + e.getMessage(),
          e);
    }
  }

  private static Optional<String> lostBinlog(Connection connection, JsonNode offset)
      throws SQLException {
    String file = offset.path("file").asText();
    Set<String> files = new HashSet<>();
    try (Statement statement = connection.createStatement();
        ResultSet rows = statement.executeQuery("SHOW BINARY LOGS")) {
      while (rows.next()) {
        files.add(rows.getString(1));
      }
    }
    return files.contains(file)
        ? Optional.empty()
        : Optional.of("binlog file " + file + " is no longer on the server (expired or purged)");
  }

  private static Optional<String> lostSlot(Connection connection, String slot) throws SQLException {
    try (PreparedStatement statement =
        connection.prepareStatement(
            "SELECT wal_status FROM pg_replication_slots WHERE slot_name = ?")) {
      statement.setString(1, slot);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.of("replication slot " + slot + " no longer exists");
        }
        return "lost".equals(rows.getString(1))
            ? Optional.of(
                "replication slot " + slot + " lost its WAL (past max_slot_wal_keep_size)")
            : Optional.empty();
      }
    }
  }
}
