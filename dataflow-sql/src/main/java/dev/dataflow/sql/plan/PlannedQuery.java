package dev.dataflow.sql.plan;

import java.util.List;

/**
 * A query rewritten to read lake files directly, with every dataset it reads. {@code scanBytes} is
 * the size of the data files it reads and {@code generates} whether it makes rows of its own
 * ({@code range}, {@code generate_series}): together, what the planner knows of its weight. The SQL
 * reads the local copies of {@code files}: hold them in the lake's warehouse while it runs.
 */
public record PlannedQuery(
    String sql, List<DatasetRead> reads, List<String> files, long scanBytes, boolean generates) {
  public PlannedQuery {
    reads = List.copyOf(reads);
    files = List.copyOf(files);
  }
}
