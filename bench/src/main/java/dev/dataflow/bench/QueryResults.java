package dev.dataflow.bench;

import java.util.EnumMap;
import java.util.Map;

/** Both sides' runs of one TPC-H query. */
final class QueryResults {
  private final int query;
  private final Map<Side, Series> series = new EnumMap<>(Side.class);

  QueryResults(int query) {
    this.query = query;
    for (Side side : Side.values()) {
      series.put(side, new Series());
    }
  }

  int query() {
    return query;
  }

  Series on(Side side) {
    return series.get(side);
  }

  boolean ok() {
    return series.values().stream().allMatch(Series::ok) && rowsAgree();
  }

  boolean rowsAgree() {
    return on(Side.DIRECT).rows() == on(Side.DATAFLOW).rows();
  }
}
