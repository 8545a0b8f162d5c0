package dev.dataflow.ingest.spec;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.yaml.snakeyaml.error.Mark;

/** Collects problems while a file is read, so all of them can be reported together. */
final class Problems {
  private final List<Problem> list = new ArrayList<>();

  void add(Mark mark, String path, String message) {
    // SnakeYAML counts from 0; people and editors count from 1.
    int line = mark == null ? 1 : mark.getLine() + 1;
    int column = mark == null ? 1 : mark.getColumn() + 1;
    list.add(new Problem(line, column, path, message));
  }

  boolean isEmpty() {
    return list.isEmpty();
  }

  /** The problems in file order. */
  List<Problem> sorted() {
    return list.stream()
        .sorted(Comparator.comparingInt(Problem::line).thenComparingInt(Problem::column))
        .toList();
  }
}
