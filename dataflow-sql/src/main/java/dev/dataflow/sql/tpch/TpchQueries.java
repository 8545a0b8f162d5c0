package dev.dataflow.sql.tpch;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The 22 TPC-H queries in DuckDB's dialect, over the tables that {@link TpchData} creates.
 *
 * <p>Each is a single statement without a trailing semicolon, with the specification's validation
 * substitution parameters (those of its qualification answers), so at scale factor 1 the answers
 * are the specification's. Q15 declares its {@code revenue} view as a WITH clause, so that every
 * query is one read-only SELECT.
 */
public final class TpchQueries {
  /** Number of queries; they are numbered 1 to {@code COUNT}. */
  public static final int COUNT = 22;

  private static final String SPACE = "{space}";

  private TpchQueries() {}

  /**
   * Returns query {@code number} with every table qualified by {@code space}, which is inserted
   * verbatim: quote it if it needs quoting, as in {@code "\"my data\""}.
   */
  public static String query(int number, String space) {
    requireNonNull(space, "space is null");
    if (number < 1 || number > COUNT) {
      throw new IllegalArgumentException(
          "TPC-H queries are numbered 1 to " + COUNT + ", not " + number);
    }
    return template(number).replace(SPACE, space);
  }

  private static String template(int number) {
    String resource = "q%02d.sql".formatted(number);
    try (InputStream in = TpchQueries.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("TPC-H query resource is missing: " + resource);
      }
      return new String(in.readAllBytes(), UTF_8).strip();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read TPC-H query resource " + resource, e);
    }
  }
}
