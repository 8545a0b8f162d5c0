package dev.dataflow.ingest.files;

/**
 * One target column as SQL over a staged source: {@code source} is TRY_CAST to {@code type}; {@code
 * text} is the value as the file wrote it, for the NULL test and for error reasons. A value fails
 * when its text is not NULL but its cast is.
 */
record Field(String name, String type, String source, String text) {
  boolean checked() {
    return !type.equalsIgnoreCase("VARCHAR");
  }

  String cast() {
    return "TRY_CAST(" + source + " AS " + type + ")";
  }

  String fails() {
    return "(" + text + " IS NOT NULL AND " + cast() + " IS NULL)";
  }

  /**
   * e.g. {@code column amount: 'abc' is not a DECIMAL(12,2)}; long values are cut so a 10 MB field
   * stays readable.
   */
  String reason() {
    String shown =
        "CASE WHEN length("
            + text
            + ") > 100 THEN left("
            + text
            + ", 100) || '...' ELSE "
            + text
            + " END";
    return SqlSession.literal("column " + name + ": '")
        + " || "
        + shown
        + " || "
        + SqlSession.literal("' is not a " + type);
  }
}
