package dev.dataflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MemoTest {
  private final AtomicInteger calls = new AtomicInteger();

  private String upper(String key) {
    calls.incrementAndGet();
    return key.toUpperCase();
  }

  @Test
  void computesEachKeyOnce() {
    Memo<String> memo = Memo.ofText(1000);
    assertThat(memo.computeIfAbsent("select 1", this::upper)).isEqualTo("SELECT 1");
    assertThat(memo.computeIfAbsent("select 1", this::upper)).isEqualTo("SELECT 1");
    assertThat(memo.computeIfAbsent("select 2", this::upper)).isEqualTo("SELECT 2");
    assertThat(calls).hasValue(2);
  }

  @Test
  void evictsTheLeastRecentlyUsedBeyondTheBudget() {
    Memo<String> memo = Memo.ofText(40); // each entry weighs 10: key and value of 5 characters
    for (String key : new String[] {"aaaaa", "bbbbb", "ccccc", "ddddd"}) {
      memo.computeIfAbsent(key, this::upper);
    }
    memo.computeIfAbsent("aaaaa", this::upper); // used: now the most recent
    memo.computeIfAbsent("eeeee", this::upper); // over budget: "bbbbb" goes
    assertThat(memo.size()).isEqualTo(4);
    calls.set(0);
    memo.computeIfAbsent("aaaaa", this::upper);
    assertThat(calls).hasValue(0);
    memo.computeIfAbsent("bbbbb", this::upper);
    assertThat(calls).hasValue(1);
  }

  @Test
  void keepsNothingTooLargeOrFailed() {
    Memo<String> memo = Memo.ofText(40);
    memo.computeIfAbsent("a long key of twenty", this::upper);
    assertThat(memo.size()).isZero();
    assertThatThrownBy(
            () ->
                memo.computeIfAbsent(
                    "bad",
                    key -> {
                      throw new IllegalStateException("no");
                    }))
        .hasMessage("no");
    assertThat(memo.size()).isZero();
  }
}
