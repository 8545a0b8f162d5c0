package dev.dataflow.bench;

import java.util.ArrayList;
import java.util.List;

/** The measured runs of one query on one side, and the row count every run agreed on. */
final class Series {
  private final List<Long> nanos = new ArrayList<>();
  private long rows = -1;
  private String error;

  /** Records the row count of a run; {@code measured} runs also count for timing. */
  void add(Run run, boolean measured) {
    if (rows >= 0 && rows != run.rows()) {
      fail("row count changed between runs: " + rows + " then " + run.rows());
    }
    rows = run.rows();
    if (measured) {
      nanos.add(run.nanos());
    }
  }

  void fail(String message) {
    if (error == null) {
      error = message;
    }
  }

  boolean ok() {
    return error == null && !nanos.isEmpty();
  }

  String error() {
    return error;
  }

  long rows() {
    return rows;
  }

  long best() {
    return sorted().get(0);
  }

  /** The middle run; with an even count, the faster of the two middle ones. */
  long median() {
    List<Long> sorted = sorted();
    return sorted.get((sorted.size() - 1) / 2);
  }

  private List<Long> sorted() {
    return nanos.stream().sorted().toList();
  }
}
