package dev.dataflow.ingest.runtime;

import java.util.List;
import java.util.Map;

/**
 * A dry run over a pipeline's first input rows: what each stage produced, and the rows that would
 * be errors, with their stage and reason. Nothing is committed.
 */
public record Preview(Map<String, Rows> stages, Rows errors) {
  /** Column names and rows (values as JSON-friendly Java objects). */
  public record Rows(List<String> columns, List<List<Object>> rows) {}
}
