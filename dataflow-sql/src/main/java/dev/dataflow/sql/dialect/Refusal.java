package dev.dataflow.sql.dialect;

/** Why a statement has no faithful Spark form; ends the translation. */
final class Refusal extends RuntimeException {
  Refusal(String reason) {
    super(reason, null, false, false);
  }
}
