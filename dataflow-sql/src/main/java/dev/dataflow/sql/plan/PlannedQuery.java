package dev.dataflow.sql.plan;

import java.util.List;

/** A query rewritten to read lake files directly, with every dataset it reads. */
public record PlannedQuery(String sql, List<DatasetRead> reads) {
  public PlannedQuery {
    reads = List.copyOf(reads);
  }
}
