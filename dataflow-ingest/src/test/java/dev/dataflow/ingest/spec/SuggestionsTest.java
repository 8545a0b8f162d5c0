package dev.dataflow.ingest.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  @Test
  void suggestsOnlyNearNames() {
    List<String> names = List.of("name", "origin", "destination", "destinations", "mode");
    assertThat(Suggestions.closest("destinaton", names)).isEqualTo("destination");
    assertThat(Suggestions.closest("orign", names)).isEqualTo("origin");
    assertThat(Suggestions.closest("nmae", names)).isEqualTo("name");
    assertThat(Suggestions.closest("xyz", names)).isNull();
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
  }
}
