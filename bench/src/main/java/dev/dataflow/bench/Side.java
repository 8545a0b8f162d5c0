package dev.dataflow.bench;

/** The two ways the benchmark runs each query. */
enum Side {
  DIRECT("DuckDB direct"),
  DATAFLOW("Dataflow");

  private final String label;

  Side(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
