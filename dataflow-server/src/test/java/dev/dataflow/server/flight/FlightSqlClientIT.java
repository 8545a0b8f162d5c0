package dev.dataflow.server.flight;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import java.nio.file.Path;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.arrow.flight.CallOptions;
import org.apache.arrow.flight.CancelFlightInfoRequest;
import org.apache.arrow.flight.CancelStatus;
import org.apache.arrow.flight.FlightClient;
import org.apache.arrow.flight.FlightInfo;
import org.apache.arrow.flight.FlightRuntimeException;
import org.apache.arrow.flight.FlightStatusCode;
import org.apache.arrow.flight.FlightStream;
import org.apache.arrow.flight.Location;
import org.apache.arrow.flight.sql.FlightSqlClient;
import org.apache.arrow.flight.sql.FlightSqlProducer;
import org.apache.arrow.flight.sql.util.TableRef;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol below JDBC, with Arrow's own Flight SQL client: ad-hoc statements, errors, cancel.
 */
class FlightSqlClientIT {
  private static final String BIG = "SELECT i, i * 2 AS j FROM range(10000000) t(i)";

  @TempDir static Path dataDir;

  static FlightTestServer server;
  static BufferAllocator allocator;
  static FlightClient flight;
  static FlightSqlClient client;

  @BeforeAll
  static void start() {
    server = new FlightTestServer(dataDir, Authenticator.open());
    allocator = new RootAllocator();
    flight =
        FlightClient.builder(
                allocator, Location.forGrpcInsecure("127.0.0.1", server.endpoint.port()))
            .build();
    client = new FlightSqlClient(flight);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      client.close();
      allocator.close();
    } finally {
      server.close();
    }
  }

  @Test
  void adHocStatementsRunAndReportCounts() throws Exception {
    FlightInfo created = client.execute("CREATE TABLE c.t AS SELECT * FROM range(5) t(i)");
    assertThat(created.getEndpoints()).isEmpty();
    assertThat(created.getRecords()).isEqualTo(5);
    assertThat(client.executeUpdate("INSERT INTO c.t SELECT 10")).isEqualTo(1);
    assertThat(count("SELECT * FROM c.t")).isEqualTo(6);
    assertThatThrownBy(() -> client.executeUpdate("SELECT * FROM c.t"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT))
        .hasMessageContaining("executeQuery");
  }

  @Test
  void errorsCarryStatusAndDataflowCode() {
    assertThatThrownBy(() -> client.execute("SELECT FROM WHERE"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> {
              assertThat(e.status().code()).isEqualTo(FlightStatusCode.INVALID_ARGUMENT);
              assertThat(e.status().metadata().get(FlightErrors.CODE_KEY))
                  .isEqualTo("SYNTAX_ERROR");
            });
    assertThatThrownBy(() -> client.execute("SELECT * FROM c.nothing"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    assertThatThrownBy(() -> client.execute("SELECT * FROM '/tmp/data.parquet'"))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.UNAUTHORIZED));
  }

  @Test
  void cancelStopsAResultBeforeItIsFetched() throws Exception {
    FlightInfo info = client.execute(BIG);
    assertThat(client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus())
        .isEqualTo(CancelStatus.CANCELLED);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThatThrownBy(stream::next)
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.NOT_FOUND));
    }
    assertThat(lastJob(BIG).status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus())
        .isEqualTo(CancelStatus.NOT_CANCELLABLE);
  }

  @Test
  void cancelStopsAResultWhileItStreams() throws Exception {
    FlightInfo info = client.execute(BIG);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThat(stream.next()).isTrue();
      assertThat(client.cancelFlightInfo(new CancelFlightInfoRequest(info)).getStatus())
          .isEqualTo(CancelStatus.CANCELLED);
      assertThatThrownBy(
              () -> {
                while (stream.next()) {
                  // drain what was already on the wire
                }
              })
          .isInstanceOfSatisfying(
              FlightRuntimeException.class,
              e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.CANCELLED));
    }
    assertThat(lastJob(BIG).status()).isEqualTo(JobStatus.CANCELLED);
  }

  @Test
  void aClientThatStopsReadingEndsTheQuery() throws Exception {
    FlightInfo info = client.execute(BIG);
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      assertThat(stream.next()).isTrue();
      stream.cancel("enough", null);
    }
    JobRecord job = awaitFinished(BIG);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
  }

  @Test
  void metadataCommandsAnswerWithTheirSchemas() throws Exception {
    assertThat(rows(client.getXdbcTypeInfo(), FlightSqlProducer.Schemas.GET_TYPE_INFO_SCHEMA))
        .isEqualTo(14);
    List<String> decimal = new ArrayList<>();
    read(
        client.getXdbcTypeInfo(Types.DECIMAL),
        root -> {
          decimal.add(root.getVector("type_name").getObject(0).toString());
          ((List<?>) root.getVector("create_params").getObject(0))
              .forEach(p -> decimal.add(p.toString()));
        });
    assertThat(decimal).containsExactly("DECIMAL", "precision", "scale");
    assertThat(rows(client.getSqlInfo(), FlightSqlProducer.Schemas.GET_SQL_INFO_SCHEMA))
        .isGreaterThan(20);
    assertThat(rows(client.getCatalogs(), FlightSqlProducer.Schemas.GET_CATALOGS_SCHEMA)).isZero();
    assertThat(rows(client.getTableTypes(), FlightSqlProducer.Schemas.GET_TABLE_TYPES_SCHEMA))
        .isEqualTo(2);
    TableRef table = TableRef.of(null, "c", "t");
    assertThat(
            rows(
                client.getCrossReference(table, table),
                FlightSqlProducer.Schemas.GET_CROSS_REFERENCE_SCHEMA))
        .isZero();
    assertThat(
            rows(client.getPrimaryKeys(table), FlightSqlProducer.Schemas.GET_PRIMARY_KEYS_SCHEMA))
        .isZero();
  }

  private long rows(FlightInfo info, Schema schema) throws Exception {
    assertThat(info.getSchema()).isEqualTo(schema);
    long[] rows = {0};
    read(
        info,
        root -> {
          assertThat(root.getSchema()).isEqualTo(schema);
          rows[0] += root.getRowCount();
        });
    return rows[0];
  }

  private void read(FlightInfo info, Consumer<VectorSchemaRoot> batch) throws Exception {
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      while (stream.next()) {
        batch.accept(stream.getRoot());
      }
    }
  }

  /**
   * A client that gives up while the statement still runs inside GetFlightInfo (a deadline, a
   * closed channel) cancels its job: nothing else would tell the server it is no longer wanted.
   */
  @Test
  void aCallerThatGivesUpCancelsItsStatement() throws Exception {
    String slow =
        "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1";
    assertThatThrownBy(() -> client.execute(slow, CallOptions.timeout(1, TimeUnit.SECONDS)))
        .isInstanceOfSatisfying(
            FlightRuntimeException.class,
            e -> assertThat(e.status().code()).isEqualTo(FlightStatusCode.TIMED_OUT));
    long gaveUp = System.currentTimeMillis();
    JobRecord job = awaitFinished(slow);
    assertThat(job.status()).isEqualTo(JobStatus.CANCELLED);
    assertThat(job.endedAt() - gaveUp)
        .as("ms from the caller giving up to the end of its job")
        .isLessThan(1_000);
  }

  private long count(String sql) throws Exception {
    FlightInfo info = client.execute(sql);
    long rows = 0;
    try (FlightStream stream = client.getStream(info.getEndpoints().get(0).getTicket())) {
      while (stream.next()) {
        rows += stream.getRoot().getRowCount();
      }
    }
    return rows;
  }

  private static JobRecord lastJob(String sql) {
    return server.sql.jobs().recent("local", 50).stream()
        .filter(j -> j.sql().equals(sql))
        .findFirst()
        .orElseThrow();
  }

  private static JobRecord awaitFinished(String sql) throws InterruptedException {
    for (int i = 0; i < 100; i++) {
      JobRecord job = lastJob(sql);
      if (job.status() != JobStatus.RUNNING) {
        return job;
      }
      Thread.sleep(100);
    }
    return lastJob(sql);
  }
}
