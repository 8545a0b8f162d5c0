package dev.dataflow.ingest.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpecs;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class DebeziumConfigTest {
  private static final String HEARTBEAT_QUERY =
      "SELECT pg_logical_emit_message(false, 'heartbeat', now()::text)";

  private static PipelineSpec spec(String url, String origin) {
    return PipelineSpecs.parse(
        """
        name: orders
        origin: {type: cdc, url: "%s", table: orders, %s}
        destination: {table: raw.orders, mode: merge, key: [id]}
        """
            .formatted(url, origin),
        Path.of("/pipelines/orders.yaml"));
  }

  private static Properties properties(PipelineSpec spec) {
    return DebeziumConfig.of(spec, key -> null);
  }

  @Test
  void heartbeatsAreOffUnlessAnIntervalIsSet() {
    assertThat(properties(spec("jdbc:postgresql://db/shop", "changelog: false")))
        .doesNotContainKeys("heartbeat.interval.ms", "heartbeat.action.query");
  }

  @Test
  void aPostgresOriginSendsHeartbeatsAndRunsItsQuery() {
    Properties properties =
        properties(
            spec(
                "jdbc:postgresql://db/shop",
                "heartbeat_interval: 30s, heartbeat_query: \"" + HEARTBEAT_QUERY + "\""));
    assertThat(properties)
        .containsEntry("heartbeat.interval.ms", "30000")
        .containsEntry("heartbeat.action.query", HEARTBEAT_QUERY);
  }

  @Test
  void aQueryWithoutAnIntervalIsRefused() {
    assertThatThrownBy(
            () ->
                properties(
                    spec(
                        "jdbc:postgresql://db/shop",
                        "heartbeat_query: \"" + HEARTBEAT_QUERY + "\"")))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("heartbeat_query runs at each heartbeat: set heartbeat_interval");
  }

  @Test
  void aBinlogOriginRefusesHeartbeats() {
    assertThatThrownBy(
            () -> properties(spec("jdbc:mariadb://db:3306/shop", "heartbeat_interval: 30s")))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("slot, publication and heartbeats are PostgreSQL's");
  }
}
