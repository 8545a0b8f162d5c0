package dev.dataflow.sql.dialect;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import java.util.Locale;
import org.apache.calcite.avatica.util.Casing;
import org.apache.calcite.avatica.util.Quoting;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.dialect.DuckDBSqlDialect;
import org.apache.calcite.sql.parser.SqlParseException;
import org.apache.calcite.sql.parser.SqlParser;
import org.apache.calcite.sql.parser.babel.SqlBabelParserImpl;
import org.apache.calcite.sql.validate.SqlConformanceEnum;
import org.apache.iceberg.Schema;

/**
 * Writes a view's DuckDB SQL in Spark's dialect, where its meaning is known to be the same.
 *
 * <p>Calcite's Babel parser reads the statement; DuckDB must read Calcite's reading back to the
 * same parse tree as the original, so a construct Calcite misreads (DuckDB's {@code //} is a
 * comment to Calcite) is refused, not translated. The tree is then rewritten from an allow-list
 * (see {@link SparkRewriter}): anything not on it, and anything whose Spark form would compute
 * something else, refuses the translation with a reason. Spark's form assumes Spark's defaults:
 * ANSI mode on (its default since 4.0), case-insensitive column names.
 */
public final class SparkTranslation {
  /** The dialect name Spark asks an Iceberg view for. */
  public static final String DIALECT = "spark";

  /** View property: why the view has no {@link #DIALECT} representation. */
  public static final String MISSING = "dataflow.dialects." + DIALECT + ".missing";

  private static final SqlParser.Config DUCKDB =
      SqlParser.config()
          .withParserFactory(SqlBabelParserImpl.FACTORY)
          .withConformance(SqlConformanceEnum.BABEL)
          .withQuoting(Quoting.DOUBLE_QUOTE)
          .withUnquotedCasing(Casing.UNCHANGED)
          .withQuotedCasing(Casing.UNCHANGED)
          .withCaseSensitive(false);

  /** What the translation needs to know about the platform. */
  public interface Context {
    /** DuckDB's parse tree of a query ({@code json_serialize_sql}). */
    JsonNode parse(String duckdbSql);

    /** The path under which the catalog holds the dataset a query's name reaches, or null. */
    DatasetPath resolve(DatasetPath written);

    /** The columns of a dataset at a path {@link #resolve} returned. */
    Schema schema(DatasetPath dataset);
  }

  /** Spark's SQL, or null with the reason there is none. */
  public record Translation(String sql, String refusal) {
    static Translation refused(String reason) {
      return new Translation(null, reason);
    }
  }

  private final Context context;

  public SparkTranslation(Context context) {
    this.context = requireNonNull(context, "context is null");
  }

  public Translation translate(String duckdbSql) {
    requireNonNull(duckdbSql, "duckdbSql is null");
    SqlNode query;
    try {
      query = SqlParser.create(duckdbSql, DUCKDB).parseQuery();
    } catch (SqlParseException e) {
      return Translation.refused("Calcite cannot parse it: " + firstLine(e.getMessage()));
    }
    try {
      checkSameReading(duckdbSql, query);
      SqlNode spark = new SparkRewriter(context).query(query);
      return new Translation(
          spark
              .toSqlString(c -> c.withDialect(SparkDialect.DEFAULT).withClauseStartsLine(false))
              .getSql(),
          null);
    } catch (Refusal e) {
      return Translation.refused(e.getMessage());
    } catch (RuntimeException e) {
      // a view Calcite (or the rewriting) trips over still works in DuckDB: it keeps that form
      return Translation.refused("The translation failed: " + e);
    }
  }

  private void checkSameReading(String duckdbSql, SqlNode query) {
    String calcite = query.toSqlString(DuckDBSqlDialect.DEFAULT).getSql();
    try {
      if (normalized(context.parse(duckdbSql)).equals(normalized(context.parse(calcite)))) {
        return;
      }
    } catch (DataflowException e) {
      // DuckDB cannot parse what Calcite made of it: the same verdict
    }
    throw new Refusal(
        "Calcite reads it differently from DuckDB (it read: " + SparkRewriter.text(query) + ")");
  }

  private static JsonNode normalized(JsonNode tree) {
    JsonNode copy = tree.deepCopy();
    strip(copy);
    return copy;
  }

  /** Drops what depends on spelling alone: positions, and the case of a number's exponent. */
  private static void strip(JsonNode node) {
    if (node instanceof ObjectNode object) {
      object.remove("query_location");
      object.remove("query_location_length");
      if (object.has("text") && !object.path("kind").asText("STRING").equals("STRING")) {
        object.put("text", object.get("text").asText().toLowerCase(Locale.ROOT));
      }
    }
    node.forEach(SparkTranslation::strip);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }
}
