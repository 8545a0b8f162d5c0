package dev.dataflow.ml.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dataflow.ml.Feature;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureRowsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<Feature> FEATURES =
      List.of(new Feature("a", "FP32"), new Feature("n", "INT64"), new Feature("b", "BOOL"));

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void readsPerFeatureInputsRowMajor() throws Exception {
    FeatureRows rows =
        FeatureRows.v2(
            json(
                """
                {"inputs": [{"name": "b", "datatype": "BOOL", "shape": [2, 1], "data": [[true], [false]]},
                  {"name": "a", "datatype": "FP64", "shape": [2], "data": [1.5, null]},
                  {"name": "n", "datatype": "INT64", "shape": [2], "data": [3, 4]}]}"""),
            FEATURES);
    assertThat(rows.rows()).isEqualTo(2);
    assertThat(rows.values()).containsExactly(1.5f, 3, 1, Float.NaN, 4, 0);
  }

  @Test
  void readsOneMatrixInput() throws Exception {
    FeatureRows rows =
        FeatureRows.v2(
            json(
                "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3],"
                    + " \"data\": [1.5, 2, 1]}]}"),
            FEATURES);
    assertThat(rows.values()).containsExactly(1.5f, 2, 1);
  }

  @Test
  void namesWhatIsWrong() {
    assertRefused(
        "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]},"
            + " {\"name\": \"n\", \"datatype\": \"INT64\", \"shape\": [2], \"data\": [1, 2]},"
            + " {\"name\": \"b\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [true]}]}",
        "Input n has 2 rows but a has 1");
    assertRefused(
        "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [true]},"
            + " {\"name\": \"n\", \"datatype\": \"INT64\", \"shape\": [1], \"data\": [1]},"
            + " {\"name\": \"b\", \"datatype\": \"BOOL\", \"shape\": [1], \"data\": [true]}]}",
        "Input a is BOOL but feature a is FP32");
    assertRefused(
        "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"BYTES\", \"shape\": [1], \"data\": [\"x\"]}]}",
        "datatype 'BYTES'");
    assertRefused("{\"inputs\": []}", "the model takes [a, n, b]");
    assertRefused(
        "{\"inputs\": [{\"name\": \"x\", \"datatype\": \"FP32\", \"shape\": [1, 3], \"data\": [1, 2, 5]}]}",
        "feature b is BOOL: send 0 or 1");
    assertRefused(
        "{\"inputs\": [{\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]},"
            + " {\"name\": \"a\", \"datatype\": \"FP32\", \"shape\": [1], \"data\": [1]}]}",
        "Input a is given twice");
  }

  private static void assertRefused(String body, String message) {
    assertThatThrownBy(() -> FeatureRows.v2(json(body), FEATURES)).hasMessageContaining(message);
  }
}
