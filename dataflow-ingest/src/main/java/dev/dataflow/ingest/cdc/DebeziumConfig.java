package dev.dataflow.ingest.cdc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import java.io.IOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import java.util.function.Function;

/** The Debezium engine properties of a cdc pipeline. */
final class DebeziumConfig {
  private static final ObjectMapper JSON = new ObjectMapper();

  private DebeziumConfig() {}

  /** The engine's name: it is part of the offset key, so it must not change between runs. */
  static String engineName(PipelineSpec spec) {
    return "dataflow-" + spec.name();
  }

  static String slot(PipelineSpec spec) {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    return origin.slot() != null ? origin.slot() : "dataflow_" + spec.name();
  }

  static String publication(PipelineSpec spec) {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    return origin.publication() != null ? origin.publication() : "dataflow_" + spec.name();
  }

  /**
   * @param committed the offset properties of the pipeline's last commit
   */
  static Properties of(PipelineSpec spec, Function<String, String> committed) {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    Properties properties = new Properties();
    properties.setProperty("name", engineName(spec));
    properties.setProperty("offset.storage", CommittedOffsets.class.getName());
    // every acknowledged batch is confirmed to the source at once
    properties.setProperty("offset.flush.interval.ms", "0");
    String key = committed.apply(CdcReader.OFFSET_KEY);
    String value = committed.apply(CdcReader.OFFSET);
    // cleared offsets (an interrupted snapshot started over) are empty
    if (key != null && value != null && !value.isEmpty()) {
      properties.setProperty(CommittedOffsets.KEY, key);
      properties.setProperty(CommittedOffsets.VALUE, value);
    }
    // also names Debezium's JMX metrics, which must differ between the pipelines of a process
    properties.setProperty("topic.prefix", engineName(spec));
    if (binlog(origin)) {
      Binlog.configure(spec, committed.apply(CdcReader.SCHEMA_HISTORY), properties);
    } else {
      postgres(spec, origin, properties);
    }
    // a lost position is handled before the engine starts (SourcePosition), so never by Debezium
    properties.setProperty(
        "snapshot.mode", origin.snapshot() == CdcOrigin.Snapshot.NEVER ? "no_data" : "initial");
    properties.setProperty("tombstones.on.delete", "false");
    properties.setProperty("decimal.handling.mode", "precise");
    // a batch is at most commit.max_rows changes, handed over as soon as the log has them
    int rows = spec.commit().maxRows();
    properties.setProperty("max.batch.size", Integer.toString(rows));
    properties.setProperty("max.queue.size", Integer.toString(Math.max(2 * rows, 8192)));
    properties.setProperty("poll.interval.ms", "100");
    return properties;
  }

  /** Whether a committed Debezium offset lies inside an initial snapshot not completed. */
  static boolean inSnapshot(String offset) {
    JsonNode node = offset(offset);
    String snapshot = node.path("snapshot").asText("false");
    return !snapshot.equals("false") && !node.path("snapshot_completed").asBoolean(false);
  }

  /** A committed Debezium offset (its JSON text) as a tree. */
  static JsonNode offset(String offset) {
    try {
      return JSON.readTree(offset);
    } catch (IOException e) {
      throw new IllegalStateException("Unreadable cdc offset " + offset, e);
    }
  }

  /** Whether the origin reads a MySQL or MariaDB binlog rather than PostgreSQL's WAL. */
  static boolean binlog(CdcOrigin origin) {
    return origin.url().startsWith("jdbc:mariadb://") || origin.url().startsWith("jdbc:mysql://");
  }

  private static void postgres(PipelineSpec spec, CdcOrigin origin, Properties properties) {
    if (!origin.url().startsWith("jdbc:postgresql://")) {
      throw new DataflowException(
          ErrorCode.UNSUPPORTED,
          "Pipeline "
              + spec.name()
              + ": the cdc origin reads PostgreSQL (jdbc:postgresql://host:port/database),"
              + " MariaDB (jdbc:mariadb://…) or MySQL (jdbc:mysql://…), not "
              + origin.url().replaceAll("\\?.*", ""));
    }
    properties.setProperty("connector.class", "io.debezium.connector.postgresql.PostgresConnector");
    URI uri = server(spec, origin, properties, 5432);
    properties.setProperty("database.dbname", uri.getPath().substring(1));
    properties.setProperty("plugin.name", "pgoutput");
    properties.setProperty("slot.name", slot(spec));
    properties.setProperty("publication.name", publication(spec));
    properties.setProperty("publication.autocreate.mode", "filtered");
    properties.setProperty("table.include.list", origin.table());
    heartbeats(spec, origin, properties);
  }

  /**
   * Heartbeats let the stream confirm a position that moved without a change of the table: the
   * reader commits it to the lake alone, then Debezium confirms it to the slot.
   */
  private static void heartbeats(PipelineSpec spec, CdcOrigin origin, Properties properties) {
    if (origin.heartbeatInterval() == null) {
      if (origin.heartbeatQuery() != null) {
        throw new DataflowException(
            ErrorCode.INVALID_ARGUMENT,
            "Pipeline "
                + spec.name()
                + ": heartbeat_query runs at each heartbeat: set heartbeat_interval too");
      }
      return;
    }
    properties.setProperty(
        "heartbeat.interval.ms", Long.toString(origin.heartbeatInterval().toMillis()));
    if (origin.heartbeatQuery() != null) {
      properties.setProperty("heartbeat.action.query", origin.heartbeatQuery());
    }
  }

  /** Sets the host, port and credentials of the origin's URL; returns the URL. */
  static URI server(PipelineSpec spec, CdcOrigin origin, Properties properties, int port) {
    URI uri = URI.create(origin.url().substring("jdbc:".length()));
    properties.setProperty("database.hostname", uri.getHost());
    properties.setProperty(
        "database.port", Integer.toString(uri.getPort() < 0 ? port : uri.getPort()));
    if (origin.user() != null) {
      properties.setProperty("database.user", origin.user());
    }
    String password = password(spec);
    if (password != null) {
      properties.setProperty("database.password", password);
    }
    return uri;
  }

  /** A plain JDBC connection to the origin's database, with the pipeline's credentials. */
  static Connection connect(PipelineSpec spec) throws SQLException {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    Properties properties = new Properties();
    if (origin.user() != null) {
      properties.setProperty("user", origin.user());
    }
    String password = password(spec);
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(origin.url(), properties);
  }

  /** The password, a {@code ${env:NAME}} reference resolved from the environment; never logged. */
  static String password(PipelineSpec spec) {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    if (origin.password() == null) {
      return null;
    }
    return origin.password().resolve("Pipeline " + spec.name() + ": the cdc password");
  }
}
