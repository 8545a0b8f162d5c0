package dev.dataflow.ingest.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopySpoolTest {
  @Test
  void nullMarkersAreNoEscapes() {
    assertThat(escapes("\\N\n")).isFalse();
    assertThat(escapes("1\t\\N\tplain text\t\\N\n")).isFalse();
    // a marker across the eight-byte words the scan reads
    assertThat(escapes("1234567\\N\t12345678\t\\N\n")).isFalse();
    assertThat(escapes("no backslash at all, over several words\n")).isFalse();
  }

  @Test
  void anyOtherBackslashIsAnEscape() {
    // a value's own backslash is written as two, also before an N
    assertThat(escapes("\\\\N\n")).isTrue();
    assertThat(escapes("1\tx\\ty\n")).isTrue();
    // in a whole word, at a word's last byte, and in the tail after the last whole word
    assertThat(escapes("12345678\\\\345678\n")).isTrue();
    assertThat(escapes("1234567\\n2345678\n")).isTrue();
    assertThat(escapes("12345678\t\\r\n")).isTrue();
    assertThat(escapes("a\\\n")).isTrue();
  }

  private static boolean escapes(String row) {
    return CopySpool.escapes(row.getBytes(StandardCharsets.UTF_8));
  }
}
