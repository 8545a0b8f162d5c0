package dev.dataflow.ingest.jdbc;

/**
 * A source column: its name, its DuckDB type and whether it is binary (staged as {@code \x} hex).
 */
record Column(String name, String duckdbType, boolean binary) {}
