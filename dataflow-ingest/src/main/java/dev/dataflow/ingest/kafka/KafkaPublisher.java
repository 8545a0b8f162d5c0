package dev.dataflow.ingest.kafka;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.spec.PipelineSpec.Publish;
import dev.dataflow.sql.Engine;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes a batch's rows to a Kafka topic, one JSON object per row (DuckDB's {@code to_json}),
 * keyed by a column when asked. A batch is published and acknowledged by the brokers before it is
 * committed to the lake, so a batch that is retried after a failure is published again: at least
 * once. The producer is idempotent, so the brokers drop its own retried sends.
 */
public final class KafkaPublisher implements AutoCloseable {
  private final Publish publish;
  private final KafkaProducer<String, String> producer;

  public KafkaPublisher(Publish publish) {
    this.publish = requireNonNull(publish, "publish is null");
    try {
      this.producer =
          new KafkaProducer<>(
              Map.of(
                  ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                  publish.bootstrapServers(),
                  ProducerConfig.ACKS_CONFIG,
                  "all",
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                  true,
                  ProducerConfig.LINGER_MS_CONFIG,
                  5),
              new StringSerializer(),
              new StringSerializer());
    } catch (KafkaException e) {
      throw failed(e);
    }
  }

  /** Sends the rows of {@code rows} (a query) and waits until the brokers have them all. */
  public long publish(Statement statement, String rows) throws SQLException {
    String key =
        publish.key() == null
            ? "NULL"
            : "CAST(r." + Engine.identifier(publish.key()) + " AS VARCHAR)";
    long sent = 0;
    Future<RecordMetadata> last = null;
    try (ResultSet result =
        statement.executeQuery(
            "SELECT " + key + ", CAST(to_json(r) AS VARCHAR) FROM (" + rows + ") AS r")) {
      while (result.next()) {
        last =
            producer.send(
                new ProducerRecord<>(publish.topic(), result.getString(1), result.getString(2)));
        sent++;
      }
    }
    producer.flush();
    try {
      if (last != null) {
        // flush waited for every send; a failed one fails the batch before its commit
        last.get();
      }
    } catch (ExecutionException e) {
      throw failed(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw failed(e);
    }
    return sent;
  }

  private DataflowException failed(Throwable e) {
    return new DataflowException(
        ErrorCode.INTERNAL, "Cannot publish to Kafka topic " + publish.topic() + ": " + e, e);
  }

  @Override
  public void close() {
    producer.close();
  }
}
