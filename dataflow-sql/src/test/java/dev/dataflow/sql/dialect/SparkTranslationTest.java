package dev.dataflow.sql.dialect;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.dialect.SparkTranslation.Translation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SparkTranslationTest {
  private static final Schema ORDERS =
      new Schema(
          Types.NestedField.optional(1, "id", Types.LongType.get()),
          Types.NestedField.optional(2, "customer_id", Types.IntegerType.get()),
          Types.NestedField.optional(3, "amount", Types.DecimalType.of(10, 2)),
          Types.NestedField.optional(4, "ratio", Types.DoubleType.get()),
          Types.NestedField.optional(5, "status", Types.StringType.get()),
          Types.NestedField.optional(6, "ordered_at", Types.TimestampType.withoutZone()),
          Types.NestedField.optional(7, "paid_at", Types.TimestampType.withZone()),
          Types.NestedField.optional(8, "day", Types.DateType.get()));
  private static final Schema CUSTOMERS =
      new Schema(
          Types.NestedField.optional(1, "id", Types.IntegerType.get()),
          Types.NestedField.optional(2, "Name", Types.StringType.get()));
  private static final Map<DatasetPath, Schema> CATALOG =
      Map.of(
          DatasetPath.of("sales", "orders"), ORDERS,
          DatasetPath.of("sales", "customers"), CUSTOMERS,
          DatasetPath.of("My Space", "eu", "orders"), ORDERS,
          DatasetPath.of("spark_catalog", "orders"), ORDERS);

  @TempDir static Path dir;
  private static Engine engine;
  private static DuckDBConnection connection;
  private static SparkTranslation translation;

  @BeforeAll
  static void start() {
    engine = new Engine(EngineConfig.defaults(dir), List.of(dir));
    connection = engine.connect();
    translation = new SparkTranslation(new Catalog());
  }

  @AfterAll
  static void stop() throws Exception {
    connection.close();
    engine.close();
  }

  /** Names resolve as the planner resolves them: exactly, else in lower case. */
  private static final class Catalog implements SparkTranslation.Context {
    @Override
    public JsonNode parse(String duckdbSql) {
      return engine.parseQuery(connection, duckdbSql, duckdbSql, 0);
    }

    @Override
    public DatasetPath resolve(DatasetPath written) {
      DatasetPath lower =
          new DatasetPath(written.parts().stream().map(p -> p.toLowerCase(Locale.ROOT)).toList());
      return Stream.of(written, lower).filter(CATALOG::containsKey).findFirst().orElse(null);
    }

    @Override
    public Schema schema(DatasetPath dataset) {
      return CATALOG.get(dataset);
    }
  }

  static Stream<Arguments> translated() {
    return Stream.of(
        Arguments.of(
            "SELECT id, status FROM sales.orders", "SELECT `id`, `status` FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT o.id, c.\"Name\" FROM sales.orders o JOIN sales.customers AS c ON o.customer_id = c.id",
            "SELECT `o`.`id`, `c`.`Name` FROM `sales`.`orders` `o` INNER JOIN `sales`.`customers` `c` ON `o`.`customer_id` = `c`.`id`"),
        Arguments.of(
            "SELECT status, count(*) AS n, sum(amount) FROM sales.orders GROUP BY status HAVING count(*) > 1 ORDER BY n DESC LIMIT 10",
            "SELECT `status`, COUNT(*) `n`, SUM(`amount`) FROM `sales`.`orders` GROUP BY `status` HAVING COUNT(*) > 1 ORDER BY `n` DESC NULLS LAST LIMIT 10"),
        Arguments.of(
            "WITH big AS (SELECT * FROM sales.orders WHERE amount > 100) SELECT count(*) FROM big",
            "WITH `big` AS (SELECT * FROM `sales`.`orders` WHERE `amount` > 100) SELECT COUNT(*) FROM `big`"),
        Arguments.of(
            "SELECT id, row_number() OVER (PARTITION BY status ORDER BY ordered_at) AS rn FROM sales.orders",
            "SELECT `id`, ROW_NUMBER() OVER (PARTITION BY `status` ORDER BY `ordered_at` NULLS LAST) `rn` FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT CASE WHEN amount > 10 THEN 'big' WHEN amount IS NULL THEN NULL ELSE 'small' END AS size FROM sales.orders",
            "SELECT CASE WHEN `amount` > 10 THEN 'big' WHEN `amount` IS NULL THEN NULL ELSE 'small' END `size` FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT CAST(id AS VARCHAR), customer_id::BIGINT, CAST(amount AS DOUBLE), CAST(day AS TIMESTAMP), CAST(amount AS DECIMAL) FROM sales.orders",
            "SELECT CAST(`id` AS STRING), CAST(`customer_id` AS BIGINT), CAST(`amount` AS DOUBLE), CAST(`day` AS TIMESTAMP_NTZ), CAST(`amount` AS DECIMAL(18, 3)) FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT \"My Col\" AS \"Mixed Case\", \"x\"\"y\" FROM \"My Space\".eu.orders",
            "SELECT `My Col` `Mixed Case`, `x\"y` FROM `My Space`.`eu`.`orders`"),
        Arguments.of(
            "SELECT id FROM sales.orders WHERE customer_id IN (SELECT id FROM sales.customers) AND EXISTS (SELECT 1 FROM sales.customers c WHERE c.id = orders.customer_id)",
            "SELECT `id` FROM `sales`.`orders` WHERE `customer_id` IN (SELECT `id` FROM `sales`.`customers`) AND EXISTS (SELECT 1 FROM `sales`.`customers` `c` WHERE `c`.`id` = `orders`.`customer_id`)"),
        Arguments.of(
            "SELECT id FROM sales.orders UNION ALL SELECT id FROM sales.customers UNION SELECT 1",
            "SELECT `id` FROM `sales`.`orders` UNION ALL SELECT `id` FROM `sales`.`customers` UNION SELECT 1"),
        Arguments.of(
            "SELECT status || '-' || id, amount / 100, id % 7, status ILIKE 'open%', status NOT LIKE 'x_%' FROM sales.orders",
            "SELECT `status` || '-' || `id`, CAST(`amount` AS DOUBLE) / CAST(100 AS DOUBLE), `id` % 7, `status` ILIKE 'open%', `status` NOT LIKE 'x_%' FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT 'it''s \\ here', DATE '2024-01-31', TIMESTAMP '2024-01-31 10:00:00', 1.5, 1e3, TRUE FROM sales.orders",
            "SELECT 'it\\'s \\\\ here', DATE '2024-01-31', TIMESTAMP_NTZ '2024-01-31 10:00:00', 1.5, 1E3, TRUE FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT id FROM sales.orders WHERE amount BETWEEN 1 AND 2 AND id NOT BETWEEN 5 AND 6",
            "SELECT `id` FROM `sales`.`orders` WHERE `amount` >= 1 AND `amount` <= 2 AND NOT (`id` >= 5 AND `id` <= 6)"),
        Arguments.of(
            "SELECT count(*) FILTER (WHERE status = 'open'), count(DISTINCT status), lag(id, 1, 0) OVER w FROM sales.orders WINDOW w AS (ORDER BY id DESC)",
            "SELECT COUNT(*) FILTER (WHERE `status` = 'open'), COUNT(DISTINCT `status`), LAG(`id`, 1, 0) OVER `w` FROM `sales`.`orders` WINDOW `w` AS (ORDER BY `id` DESC NULLS LAST)"),
        Arguments.of(
            "SELECT * FROM (SELECT id FROM sales.ORDERS) AS sub ORDER BY id NULLS FIRST LIMIT 5 OFFSET 2",
            "SELECT * FROM (SELECT `id` FROM `sales`.`orders`) `sub` ORDER BY `id` NULLS FIRST LIMIT 5 OFFSET 2"),
        Arguments.of(
            "SELECT sum(amount) OVER (PARTITION BY status ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM sales.orders",
            "SELECT SUM(`amount`) OVER (PARTITION BY `status` ORDER BY `id` NULLS LAST ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM `sales`.`orders`"),
        Arguments.of(
            "SELECT TRY_CAST(status AS DATE), customer_id::INTEGER IS DISTINCT FROM 1 FROM sales.orders o LEFT JOIN sales.customers c USING (id)",
            "SELECT TRY_CAST(`status` AS DATE), CAST(`customer_id` AS INT) IS DISTINCT FROM 1 FROM `sales`.`orders` `o` LEFT JOIN `sales`.`customers` `c` USING (`id`)"));
  }

  @ParameterizedTest
  @MethodSource("translated")
  void translates(String duckdb, String spark) {
    Translation result = translation.translate(duckdb);
    assertThat(result.refusal()).isNull();
    assertThat(result.sql().replaceAll("\\s*\n\\s*", " ")).isEqualTo(spark);
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of(
            "SELECT id // 2 FROM sales.orders",
            "Calcite reads it differently from DuckDB (it read: SELECT \"id\")"),
        Arguments.of(
            "SELECT * FROM range(10)",
            "Calcite cannot parse it: Incorrect syntax near the keyword 'FROM' at line 1, column 10."),
        Arguments.of(
            "SELECT list_value(id, 2) FROM sales.orders", "Function list_value is not translated"),
        Arguments.of(
            "SELECT date_trunc('month', ordered_at) FROM sales.orders",
            "Function DATE_TRUNC is not translated"),
        Arguments.of(
            "SELECT strftime(day, '%Y') FROM sales.orders", "Function strftime is not translated"),
        Arguments.of(
            "SELECT id FROM sales.orders QUALIFY row_number() OVER (ORDER BY id) = 1",
            "QUALIFY has no Spark form"),
        Arguments.of(
            "SELECT amount / customer_id FROM sales.orders",
            "Division by \"customer_id\": DuckDB yields Infinity for a zero divisor where Spark fails; only a non-zero number literal divisor is translated"),
        Arguments.of(
            "SELECT 1 / 0 FROM sales.orders",
            "Division by 0: DuckDB yields Infinity for a zero divisor where Spark fails; only a non-zero number literal divisor is translated"),
        Arguments.of(
            "SELECT CAST(ratio AS INTEGER) FROM sales.orders",
            "CAST(\"ratio\" AS INTEGER): Spark converts a floating-point number to INTEGER differently"),
        Arguments.of(
            "SELECT CAST(ratio AS VARCHAR) FROM sales.orders",
            "CAST(\"ratio\" AS VARCHAR): Spark converts a floating-point number to VARCHAR differently"),
        Arguments.of(
            "SELECT CAST(paid_at AS VARCHAR) FROM sales.orders",
            "CAST(\"paid_at\" AS VARCHAR): Spark converts a value of this type to VARCHAR differently"),
        Arguments.of(
            "SELECT CAST(id AS HUGEINT) FROM sales.orders",
            "CAST to HUGEINT has no Spark type of the same meaning"),
        Arguments.of(
            "SELECT CAST(s.id AS VARCHAR) FROM (SELECT id FROM sales.orders) AS s",
            "CAST(\"s\".\"id\" AS VARCHAR): the operand's type is not known here (a column of a dataset named in the same FROM, a literal or a CAST is), and Spark converts some types differently"),
        Arguments.of(
            "SELECT status FROM sales.orders WHERE status LIKE 'a\\_%'",
            "LIKE 'a\\_%': Spark reads a backslash in a pattern as an escape; write the pattern as a literal without one, or add ESCAPE"),
        Arguments.of(
            "SELECT * EXCLUDE (id) FROM sales.orders", "SELECT * EXCLUDE has no Spark form"),
        Arguments.of(
            "SELECT * FROM spark_catalog.orders",
            "Spark would read space spark_catalog as its own catalog"),
        Arguments.of(
            "WITH RECURSIVE r AS (SELECT 1 AS n) SELECT n FROM r",
            "WITH RECURSIVE is not translated"),
        Arguments.of(
            "SELECT E'a\\nb' FROM sales.orders",
            "Calcite reads it differently from DuckDB (it read: SELECT _UTF16'a b' FROM \"sales\".\"orders\")"),
        Arguments.of("SELECT day + INTERVAL 1 DAY FROM sales.orders", "INTERVAL is not translated"),
        Arguments.of(
            "SELECT id FROM sales.orders NATURAL JOIN sales.customers",
            "NATURAL JOIN is not translated: name its columns with USING"),
        Arguments.of(
            "SELECT status, count(*) FROM sales.orders GROUP BY ALL",
            "Calcite cannot parse it: Encountered \"<EOF>\" at line 1, column 54."));
  }

  @ParameterizedTest
  @MethodSource("refused")
  void refuses(String duckdb, String reason) {
    Translation result = translation.translate(duckdb);
    assertThat(result.sql()).isNull();
    assertThat(result.refusal()).isEqualTo(reason);
  }
}
