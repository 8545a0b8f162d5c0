package dev.dataflow.sql.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.dialect.SparkTranslation;
import java.nio.file.Path;
import java.util.Map;
import org.apache.iceberg.view.SQLViewRepresentation;
import org.apache.iceberg.view.View;
import org.apache.iceberg.view.ViewProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Views made through SQL carry a Spark representation where their SQL translates. */
class ViewDialectsTest {
  private static final String QUALIFIED =
      "SELECT id FROM s.t QUALIFY row_number() OVER (ORDER BY id) = 1";

  @TempDir Path dir;
  private Lake lake;
  private SqlService sql;

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
    run("CREATE TABLE s.t AS SELECT range AS id, 'n' || range AS name FROM range(5)");
  }

  @AfterEach
  void stop() {
    sql.close();
    lake.close();
  }

  private void run(String statement) {
    try (Execution execution = sql.execute("test", statement)) {
      execution.updateCount();
    }
  }

  private View view(String path) {
    return lake.viewOrNull(DatasetPath.parse(path));
  }

  private static Map<String, String> representations(View view) {
    return view.currentVersion().representations().stream()
        .map(SQLViewRepresentation.class::cast)
        .collect(
            java.util.stream.Collectors.toMap(
                SQLViewRepresentation::dialect, SQLViewRepresentation::sql));
  }

  @Test
  void storesDuckDbAndSparkSql() {
    run("CREATE VIEW v.named AS SELECT id, upper(name) AS \"Name\" FROM S.T WHERE id > 1");
    View view = view("v.named");
    assertThat(view.currentVersion().representations())
        .map(r -> ((SQLViewRepresentation) r).dialect())
        .containsExactly("duckdb", "spark");
    assertThat(representations(view))
        .containsEntry("duckdb", "SELECT id, upper(name) AS \"Name\" FROM S.T WHERE id > 1")
        .containsEntry("spark", "SELECT `id`, UPPER(`name`) `Name` FROM `s`.`t` WHERE `id` > 1");
    assertThat(view.properties()).doesNotContainKey(SparkTranslation.MISSING);
  }

  @Test
  void keepsOnlyDuckDbAndTheReasonWhenTheSqlDoesNotTranslate() {
    run("CREATE VIEW v.first AS " + QUALIFIED);
    View view = view("v.first");
    assertThat(representations(view)).containsOnlyKeys("duckdb");
    assertThat(view.properties())
        .containsEntry(SparkTranslation.MISSING, "QUALIFY has no Spark form");
    CatalogBrowser.ViewEntry entry =
        (CatalogBrowser.ViewEntry)
            new CatalogBrowser(lake, sql.engine()).entry(DatasetPath.parse("v.first"));
    assertThat(entry.dialects()).containsExactly(new CatalogBrowser.Dialect("duckdb", QUALIFIED));
    assertThat(entry.missingDialects())
        .containsExactly(Map.entry("spark", "QUALIFY has no Spark form"));
  }

  @Test
  void replacingAViewReplacesBothFormsAndTheReason() {
    run("CREATE VIEW v.ids AS " + QUALIFIED);
    run("CREATE OR REPLACE VIEW v.ids AS SELECT id FROM s.t ORDER BY id");
    View view = view("v.ids");
    assertThat(representations(view))
        .containsEntry("spark", "SELECT `id` FROM `s`.`t`\nORDER BY `id` NULLS LAST");
    assertThat(view.properties()).doesNotContainKey(SparkTranslation.MISSING);

    run("CREATE OR REPLACE VIEW v.ids AS SELECT id + 1 AS plus_one FROM s.t");
    assertThat(representations(view("v.ids")))
        .containsEntry("duckdb", "SELECT id + 1 AS plus_one FROM s.t")
        .containsEntry("spark", "SELECT `id` + 1 `plus_one` FROM `s`.`t`");

    run("CREATE OR REPLACE VIEW v.ids AS SELECT id / id AS one FROM s.t");
    assertThat(representations(view("v.ids"))).containsOnlyKeys("duckdb");
    assertThat(view("v.ids").properties())
        .containsKey(SparkTranslation.MISSING)
        .doesNotContainKey(ViewProperties.REPLACE_DROP_DIALECT_ALLOWED);
    assertThat(view("v.ids").properties().get(SparkTranslation.MISSING))
        .startsWith("Division by \"id\"");
    CatalogBrowser.ViewEntry entry =
        (CatalogBrowser.ViewEntry)
            new CatalogBrowser(lake, sql.engine()).entry(DatasetPath.parse("v.ids"));
    assertThat(entry.dialects())
        .extracting(CatalogBrowser.Dialect::dialect)
        .containsExactly("duckdb");
    assertThat(entry.missingDialects()).containsOnlyKeys("spark");
    assertThat(entry.status()).isEqualTo("OK");
  }
}
