package dev.dataflow.bench;

/** The ways the TPC-H benchmarks run each query: a series of runs each. */
enum Side {
  /** bench/tpch: DuckDB in the benchmark's JVM over the server's Parquet files. */
  DIRECT("DuckDB direct"),
  /** bench/tpch: the Dataflow server. */
  DATAFLOW("Dataflow"),
  /** bench/s3: a server on a local warehouse, its first pass. */
  LOCAL_FIRST("local, first pass"),
  /** bench/s3: the same server's later passes. */
  LOCAL("local"),
  /** bench/s3: a server on an S3 warehouse, its first pass, with an empty cache. */
  S3_COLD("S3, cold cache"),
  /** bench/s3: the same server's later passes, its cache filled. */
  S3_WARM("S3, warm cache");

  private final String label;

  Side(String label) {
    this.label = label;
  }

  String label() {
    return label;
  }
}
