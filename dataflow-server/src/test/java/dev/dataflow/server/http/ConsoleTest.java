package dev.dataflow.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConsoleTest {
  @Test
  void onlyTheConsolesFilesAreAssets() {
    assertThat(Console.isAsset("/")).isTrue();
    assertThat(Console.isAsset("/js/models.js")).isTrue();
    assertThat(Console.isAsset("/webjars/echarts/5.3.1/dist/echarts.min.js")).isTrue();
    // every other path is authenticated: the API, inference and metrics
    assertThat(Console.isAsset("/api/v1/models")).isFalse();
    assertThat(Console.isAsset("/v2/models/late_shipment/infer")).isFalse();
    assertThat(Console.isAsset("/v2")).isFalse();
    assertThat(Console.isAsset("/metrics")).isFalse();
    assertThat(Console.isAsset("/js/../api/v1/catalog")).isFalse();
  }
}
