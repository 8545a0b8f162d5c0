package dev.dataflow.ingest.cdc;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.CdcOrigin;
import java.net.URI;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.connect.data.Struct;

/**
 * The Debezium properties of a cdc origin that reads a MySQL or MariaDB binlog (Debezium's MySQL
 * connector, which also reads MariaDB 10.11's binlog), and binlog positions as numbers.
 */
final class Binlog {
  private Binlog() {}

  static void configure(PipelineSpec spec, String history, Properties properties) {
    CdcOrigin origin = (CdcOrigin) spec.origin();
    if (origin.slot() != null
        || origin.publication() != null
        || origin.heartbeatInterval() != null
        || origin.heartbeatQuery() != null) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "Pipeline "
              + spec.name()
              + ": slot, publication and heartbeats are PostgreSQL's; a MySQL/MariaDB origin reads"
              + " the binlog, which holds nothing for it at the source");
    }
    boolean mariadb = origin.url().startsWith("jdbc:mariadb://");
    properties.setProperty(
        "connector.class",
        mariadb ? MariaDbConnector.class.getName() : "io.debezium.connector.mysql.MySqlConnector");
    URI uri = DebeziumConfig.server(spec, origin, properties, 3306);
    String table = table(spec, uri);
    properties.setProperty("database.include.list", table.substring(0, table.indexOf('.')));
    properties.setProperty("table.include.list", table);
    // the source sees the engine as a replica: the id must be stable and differ from others'
    properties.setProperty("database.server.id", Long.toString(serverId(spec)));
    properties.setProperty("database.ssl.mode", "disabled");
    if (mariadb) {
      properties.setProperty("database.jdbc.driver", MariaDbDriver.class.getName());
    }
    properties.setProperty("include.schema.changes", "false");
    properties.setProperty("schema.history.internal", LakeSchemaHistory.class.getName());
    properties.setProperty("schema.history.internal.store.only.captured.tables.ddl", "true");
    properties.setProperty("schema.history.internal.store.only.captured.databases.ddl", "true");
    properties.setProperty(LakeSchemaHistory.ID, UUID.randomUUID().toString());
    if (history != null) {
      properties.setProperty(LakeSchemaHistory.RECORDS, history);
    }
  }

  /** The captured table as {@code database.table}; the URL names the database if the table not. */
  private static String table(PipelineSpec spec, URI uri) {
    String table = ((CdcOrigin) spec.origin()).table();
    if (table.contains(".")) {
      return table;
    }
    String database = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    if (database.isEmpty()) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "Pipeline "
              + spec.name()
              + ": name the table as database.table, or the database in the url");
    }
    return database + "." + table;
  }

  private static long serverId(PipelineSpec spec) {
    return 100_000 + Math.floorMod(spec.name().hashCode(), 1_000_000_000);
  }

  /**
   * A change's binlog position as one increasing number: the binlog file's sequence number in the
   * high 32 bits, the event's byte offset in the low ones (a binlog file is at most 1 GiB). The
   * rows of one event share it.
   */
  static long position(Struct source) {
    String file = source.getString("file");
    long sequence = Long.parseLong(file.substring(file.lastIndexOf('.') + 1));
    return (sequence << 32) + source.getInt64("pos");
  }
}
