package dev.dataflow.ingest.cdc;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.OriginReader;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.write.TableWriter;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;

/**
 * Debezium change events as the batch's {@code input} table. The events are appended to a staging
 * table (sequence, operation, source time, LSN, key, row as JSON) through DuckDB's appender, then
 * one SQL statement casts the row's columns to their types: the columns are the union of the row
 * schemas in the batch (a column the source added appears from the event that has it; the latest
 * type wins), so schema changes reach the destination. Applied, the batch keeps each key's last
 * change, with {@link TableWriter#DELETED} for a delete; as a changelog, every change in order with
 * {@code __op}, {@code __source_ts} and {@code __lsn} (PostgreSQL's LSN, or the binlog position of
 * {@link Binlog#position}).
 */
final class ChangeRows {
  static final String STAGING = "__df_changes";
  private static final ObjectMapper JSON = new ObjectMapper();

  private ChangeRows() {}

  /** Fills {@code input} with the changes; returns their oldest and newest source commit times. */
  static OriginReader.SourceTimes stage(
      Statement statement, List<SourceRecord> records, boolean changelog, String pipeline)
      throws SQLException {
    statement.execute(
        "CREATE OR REPLACE TABLE "
            + STAGING
            + " (seq BIGINT, op VARCHAR, source_ts BIGINT, lsn BIGINT, change_key VARCHAR,"
            + " row VARCHAR)");
    Map<String, String> columns = new LinkedHashMap<>();
    long oldest = Long.MAX_VALUE;
    long newest = 0;
    DuckDBConnection connection = statement.getConnection().unwrap(DuckDBConnection.class);
    try (DuckDBAppender appender =
        connection.createAppender(DuckDBConnection.DEFAULT_SCHEMA, STAGING)) {
      long seq = 0;
      for (SourceRecord record : records) {
        if (!isChange(record)) {
          continue;
        }
        Struct value = (Struct) record.value();
        Struct source = value.getStruct("source");
        long sourceTs = source.getInt64("ts_ms");
        oldest = Math.min(oldest, sourceTs);
        newest = Math.max(newest, sourceTs);
        String op = value.getString("op");
        if (record.key() == null && !changelog) {
          throw new DataflowException(
              ErrorCode.INVALID_ARGUMENT,
              "Pipeline "
                  + pipeline
                  + ": "
                  + source.getString("table")
                  + " has no primary key, so its changes cannot be applied by key; set changelog:"
                  + " true on the origin");
        }
        Struct row = "d".equals(op) ? value.getStruct("before") : value.getStruct("after");
        appender.beginRow();
        appender.append(seq++);
        appender.append(op);
        appender.append(sourceTs);
        appender.append(position(source));
        appender.append(record.key() == null ? "" : record.key().toString());
        appender.append(json(row, columns));
        appender.endRow();
      }
    }
    statement.execute("CREATE OR REPLACE TABLE input AS " + select(columns, changelog));
    return new OriginReader.SourceTimes(oldest, newest);
  }

  /** Whether a record is a row's change, not a heartbeat or a logical decoding message. */
  static boolean isChange(SourceRecord record) {
    return record.value() instanceof Struct value
        && value.schema().field("op") != null
        && value.schema().field("after") != null;
  }

  /** PostgreSQL's LSN, or a MySQL/MariaDB binlog position as a number. */
  private static long position(Struct source) {
    return source.schema().field("lsn") != null ? source.getInt64("lsn") : Binlog.position(source);
  }

  private static String json(Struct row, Map<String, String> columns) {
    if (row == null) {
      return "{}";
    }
    ObjectNode node = JSON.createObjectNode();
    for (Field field : row.schema().fields()) {
      Schema schema = field.schema();
      columns.put(field.name(), ConnectTypes.duckdbType(schema));
      node.putPOJO(field.name(), ConnectTypes.jsonValue(schema, row.get(field)));
    }
    return node.toString();
  }

  private static String select(Map<String, String> columns, boolean changelog) {
    List<String> projection = new ArrayList<>();
    columns.forEach((name, type) -> projection.add(column(name, type)));
    if (changelog) {
      projection.add("op AS __op");
      projection.add("make_timestamp(source_ts * 1000) AS __source_ts");
      projection.add("lsn AS __lsn");
      return "SELECT " + String.join(", ", projection) + " FROM " + STAGING + " ORDER BY seq";
    }
    projection.add("op = 'd' AS " + TableWriter.DELETED);
    return "SELECT "
        + String.join(", ", projection)
        + " FROM "
        + STAGING
        + " QUALIFY row_number() OVER (PARTITION BY change_key ORDER BY seq DESC) = 1";
  }

  private static String column(String name, String type) {
    String text = "json_extract_string(row, " + Engine.literal("$.\"" + name + "\"") + ")";
    String value = type.equals("BLOB") ? "from_base64(" + text + ")" : text;
    return "CAST(" + value + " AS " + type + ") AS " + Engine.identifier(name);
  }
}
