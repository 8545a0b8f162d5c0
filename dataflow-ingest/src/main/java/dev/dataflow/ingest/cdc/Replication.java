package dev.dataflow.ingest.cdc;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The source-side state of a cdc pipeline: its replication slot holds the source's WAL until the
 * pipeline confirms it, so deleting the pipeline drops the slot (and its publication).
 */
public final class Replication {
  private static final int ATTEMPTS = 50;

  private Replication() {}

  /**
   * Drops the pipeline's slot and publication if they exist (a MySQL/MariaDB origin has none). The
   * slot may still be held for a moment by the engine of a run that just stopped, so a busy slot is
   * tried again for a few seconds.
   */
  public static void drop(PipelineSpec spec) {
    requireNonNull(spec, "spec is null");
    CdcOrigin origin = (CdcOrigin) spec.origin();
    if (DebeziumConfig.binlog(origin)) {
      // a binlog reader holds nothing at the source: the server expires its binlogs itself
      return;
    }
    try (Connection connection = DebeziumConfig.connect(spec)) {
      dropSlot(connection, DebeziumConfig.slot(spec));
      try (Statement statement = connection.createStatement()) {
        statement.execute(
            "DROP PUBLICATION IF EXISTS \"" + DebeziumConfig.publication(spec) + "\"");
      }
    } catch (SQLException e) {
      throw new DataflowException(
          ErrorCode.INTERNAL,
          "Pipeline "
              + spec.name()
              + ": cannot drop replication slot "
              + DebeziumConfig.slot(spec)
              + ": "
              + e.getMessage(),
          e);
    }
  }

  private static void dropSlot(Connection connection, String slot) throws SQLException {
    String drop =
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            + " WHERE slot_name = ? AND NOT active";
    String exists = "SELECT count(*) FROM pg_replication_slots WHERE slot_name = ?";
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      try (PreparedStatement statement = connection.prepareStatement(drop)) {
        statement.setString(1, slot);
        statement.executeQuery().close();
      }
      try (PreparedStatement statement = connection.prepareStatement(exists)) {
        statement.setString(1, slot);
        var rows = statement.executeQuery();
        rows.next();
        if (rows.getLong(1) == 0) {
          return;
        }
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    throw new SQLException("the slot is still in use");
  }
}
