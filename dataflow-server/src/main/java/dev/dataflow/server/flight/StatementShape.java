package dev.dataflow.server.flight;

import static java.util.Objects.requireNonNull;

import java.util.List;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * What a client learns when it prepares a statement: whether it returns rows, their schema, and the
 * parameters it takes. {@code parameterTypes} are DuckDB's names, used to convert bound values.
 */
record StatementShape(
    boolean query, Schema resultSchema, Schema parameterSchema, List<String> parameterTypes) {
  private static final Schema EMPTY = new Schema(List.of());

  /** DDL and DML: no rows and, as {@code SqlService} runs them, no parameters. */
  static final StatementShape UPDATE = new StatementShape(false, EMPTY, EMPTY, List.of());

  StatementShape {
    requireNonNull(resultSchema, "resultSchema is null");
    requireNonNull(parameterSchema, "parameterSchema is null");
    parameterTypes = List.copyOf(parameterTypes);
  }

  int parameterCount() {
    return parameterTypes.size();
  }
}
