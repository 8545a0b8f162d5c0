package dev.dataflow.ingest.kafka;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

/**
 * A single-node KRaft Kafka (broker and controller) in the test JVM, listening on 127.0.0.1 only,
 * on free ports.
 */
final class KafkaBroker implements AutoCloseable {
  final String bootstrap;
  private final KafkaRaftServer server;

  private KafkaBroker(String bootstrap, KafkaRaftServer server) {
    this.bootstrap = bootstrap;
    this.server = server;
  }

  static KafkaBroker start(Path dir) throws Exception {
    int broker = freePort();
    int controller = freePort();
    String logs = dir.toAbsolutePath().toString();
    Properties properties = new Properties();
    properties.put("process.roles", "broker,controller");
    properties.put("node.id", "1");
    properties.put("controller.quorum.voters", "1@127.0.0.1:" + controller);
    properties.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + broker + ",CONTROLLER://127.0.0.1:" + controller);
    properties.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + broker);
    properties.put("controller.listener.names", "CONTROLLER");
    properties.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    properties.put("inter.broker.listener.name", "PLAINTEXT");
    properties.put("log.dirs", logs);
    properties.put("offsets.topic.replication.factor", "1");
    properties.put("offsets.topic.num.partitions", "1");
    properties.put("transaction.state.log.replication.factor", "1");
    properties.put("transaction.state.log.min.isr", "1");
    properties.put("share.coordinator.state.topic.replication.factor", "1");
    properties.put("share.coordinator.state.topic.min.isr", "1");
    properties.put("group.initial.rebalance.delay.ms", "0");
    new Formatter()
        .setPrintStream(System.out)
        .setNodeId(1)
        .setClusterId(Uuid.randomUuid().toString())
        .addDirectory(logs)
        .setMetadataLogDirectory(logs)
        .setControllerListenerName("CONTROLLER")
        .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
        .run();
    KafkaRaftServer server = new KafkaRaftServer(new KafkaConfig(properties), Time.SYSTEM);
    server.startup();
    return new KafkaBroker("127.0.0.1:" + broker, server);
  }

  void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  /** Sends the messages, keyed by their index so that they spread over the partitions. */
  void send(String topic, List<String> messages) {
    sendBytes(topic, messages.stream().map(m -> m.getBytes(StandardCharsets.UTF_8)).toList());
  }

  /** Sends the messages as they are, which need not be UTF-8, keyed by their index. */
  void sendBytes(String topic, List<byte[]> messages) {
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(
            // one request in flight: just after a topic is created, a first batch refused with
            // NOT_LEADER_OR_FOLLOWER while the next one is taken would stall its retry on
            // OUT_OF_ORDER_SEQUENCE_NUMBER until the delivery timeout drops it (two minutes)
            Map.of(
                "bootstrap.servers",
                bootstrap,
                "linger.ms",
                5,
                "max.in.flight.requests.per.connection",
                1),
            new StringSerializer(),
            new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new java.util.ArrayList<>();
      for (int i = 0; i < messages.size(); i++) {
        sent.add(producer.send(new ProducerRecord<>(topic, Integer.toString(i), messages.get(i))));
      }
      producer.flush();
      // a message the broker never took fails the test here, not as a missing row later
      for (Future<RecordMetadata> future : sent) {
        future.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("A message to " + topic + " was not sent", e.getCause());
    }
  }

  /** Every message of a topic from its beginning, read until none came for two seconds. */
  List<String> read(String topic) {
    List<String> values = new java.util.ArrayList<>();
    try (var consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(
            Map.<String, Object>of(
                "bootstrap.servers",
                bootstrap,
                "group.id",
                "reader-" + Uuid.randomUuid(),
                "auto.offset.reset",
                "earliest"),
            new org.apache.kafka.common.serialization.StringDeserializer(),
            new org.apache.kafka.common.serialization.StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long quietSince = System.currentTimeMillis();
      while (System.currentTimeMillis() - quietSince < 2_000) {
        for (var record : consumer.poll(java.time.Duration.ofMillis(200))) {
          values.add(record.key() + "=" + record.value());
          quietSince = System.currentTimeMillis();
        }
      }
    }
    return values;
  }

  @Override
  public void close() {
    server.shutdown();
    server.awaitShutdown();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
