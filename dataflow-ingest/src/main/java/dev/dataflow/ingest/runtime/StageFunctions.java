package dev.dataflow.ingest.runtime;

import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * SQL helpers that pipeline stages can call, beside all of DuckDB's functions: privacy helpers for
 * data that must not land in the lake as it came.
 */
final class StageFunctions {
  private static final List<String> MACROS =
      List.of(
          // keeps the first character and the domain: j***@example.com
          "CREATE OR REPLACE MACRO mask_email(e) AS"
              + " CASE WHEN e IS NULL THEN NULL WHEN position('@' IN e) > 1"
              + " THEN substr(e, 1, 1) || '***' || substr(e, position('@' IN e)) ELSE '***' END",
          // a stable pseudonym: equal inputs give equal hashes, so joins on it still work
          "CREATE OR REPLACE MACRO hash_value(v) AS sha256(CAST(v AS VARCHAR))",
          "CREATE OR REPLACE MACRO redact(v) AS CASE WHEN v IS NULL THEN NULL ELSE '[redacted]' END");

  private StageFunctions() {}

  static void register(Statement statement) throws SQLException {
    for (String macro : MACROS) {
      statement.execute(macro);
    }
  }
}
