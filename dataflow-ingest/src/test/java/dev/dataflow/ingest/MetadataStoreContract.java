package dev.dataflow.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.api.DatasetPath;
import dev.dataflow.ingest.runtime.PipelineState;
import dev.dataflow.ingest.runtime.RunRecord;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.Leases;
import dev.dataflow.lake.MetadataDb;
import dev.dataflow.ml.Feature;
import dev.dataflow.ml.ModelFormat;
import dev.dataflow.ml.ModelRef;
import dev.dataflow.ml.Task;
import dev.dataflow.ml.registry.ModelRegistry;
import dev.dataflow.ml.registry.ModelVersion;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.catalog.DatasetNotes;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every metadata store must keep, as Iceberg's {@code CatalogTests} does for catalogs: run
 * once on the embedded SQLite file and once on PostgreSQL. Each test closes the platform and opens
 * it again on the same store, as a restarted server does.
 */
public abstract class MetadataStoreContract {
  @TempDir protected Path dir;

  /** A store of its own for one test, with its warehouse under {@code data}. */
  protected abstract LakeConfig store(Path data) throws Exception;

  private TestPlatform open(LakeConfig config) {
    return new TestPlatform(dir.resolve("data"), config);
  }

  private static long update(TestPlatform platform, String statement) {
    try (Execution execution = platform.sql.execute("test", statement)) {
      return execution.updateCount();
    }
  }

  @Test
  void tablesAndViewsOutliveARestart() throws Exception {
    LakeConfig config = store(dir.resolve("data"));
    try (TestPlatform platform = open(config)) {
      assertThat(update(platform, "CREATE TABLE s.t AS SELECT range AS k FROM range(10)"))
          .isEqualTo(10);
      update(platform, "INSERT INTO s.t SELECT 42");
      update(platform, "CREATE VIEW s.v AS SELECT k FROM s.t WHERE k > 4");
      update(platform, "CREATE TABLE s.gone AS SELECT 1 AS k");
      update(platform, "DROP TABLE s.gone");
    }
    try (TestPlatform platform = open(config)) {
      assertThat(platform.rows("SELECT count(*), max(k) FROM s.v")).containsExactly("6|42");
      assertThat(platform.lake.tableOrNull(dev.dataflow.api.DatasetPath.of("s", "gone"))).isNull();
    }
  }

  @Test
  void jobsAreKeptAndThoseLeftRunningFailAtTheNextStart() throws Exception {
    LakeConfig config = store(dir.resolve("data"));
    try (TestPlatform platform = open(config)) {
      platform.rows("SELECT 1");
      for (JobStatus status : List.of(JobStatus.RUNNING, JobStatus.QUEUED)) {
        platform
            .sql
            .jobs()
            .insert(JobRecord.unfinished(status.name(), "test", "SELECT 2", status, 1L));
      }
    }
    try (TestPlatform platform = open(config)) {
      List<JobRecord> jobs = platform.sql.jobs().recent(null, 10);
      assertThat(jobs).hasSize(3);
      assertThat(jobs.stream().filter(j -> j.sql().equals("SELECT 1")))
          .singleElement()
          .satisfies(j -> assertThat(j.status()).isEqualTo(JobStatus.COMPLETED));
      assertThat(platform.sql.jobs().find("QUEUED").status()).isEqualTo(JobStatus.FAILED);
      assertThat(platform.sql.jobs().find("RUNNING").errorMessage())
          .isEqualTo("The server stopped while the job ran");
    }
  }

  @Test
  void aPipelineLoadsEachFileOnceAcrossARestart() throws Exception {
    LakeConfig config = store(dir.resolve("data"));
    Path source = Files.createDirectories(dir.resolve("in"));
    Files.writeString(source.resolve("a.csv"), "id,amount\n1,10\n2,x\n");
    String yaml =
        """
        name: orders
        origin: {type: files, path: %s, glob: "*.csv", format: csv,
                 columns: {id: BIGINT, amount: INTEGER}}
        destination: {table: raw.orders}
        errors: {policy: table}
        """
            .formatted(source);
    try (TestPlatform platform = open(config)) {
      platform.pipelines.apply(yaml, dir.resolve("orders.yaml"));
      assertThat(platform.pipelines.runOnce("orders").status()).isEqualTo(PipelineState.FINISHED);
    }
    Files.writeString(source.resolve("b.csv"), "id,amount\n3,30\n");
    try (TestPlatform platform = open(config)) {
      RunRecord second = platform.pipelines.runOnce("orders");
      assertThat(second.files()).as("only the new file").isEqualTo(1);
      assertThat(platform.rows("SELECT id FROM raw.orders ORDER BY id")).containsExactly("1", "3");
      assertThat(platform.rows("SELECT raw FROM raw.orders_errors")).containsExactly("2,x");
      assertThat(platform.pipelines.runs("orders", 10)).hasSize(2);
    }
  }

  @Test
  void notesModelsAndLeasesOutliveARestart() throws Exception {
    LakeConfig config = store(dir.resolve("data"));
    DatasetPath orders = DatasetPath.of("s", "orders");
    ModelVersion draft =
        new ModelVersion(
            "churn",
            0,
            ModelFormat.XGBOOST,
            Task.CLASSIFICATION,
            List.of(new Feature("usage", "FP64")),
            Map.of("num_round", 3),
            Map.of("auc", 0.9),
            List.of(),
            null,
            null,
            null,
            "test",
            1L);
    try (TestPlatform platform = open(config);
        DatasetNotes notes = new DatasetNotes(platform.lake);
        ModelRegistry models = new ModelRegistry(platform.lake);
        MetadataDb db = new MetadataDb(platform.lake)) {
      notes.save(orders, "Every order", List.of("gold"), "test");
      models.register(draft, new byte[] {1, 2, 3});
      models.alias("churn", "champion", 1);
      models.deploy(new ModelRegistry.Deployment("churn", "champion", null, 0));
      assertThat(new Leases(db).acquire("pipeline/p", "worker-a", Duration.ofMinutes(1)))
          .isEqualTo(1);
    }
    try (TestPlatform platform = open(config);
        DatasetNotes notes = new DatasetNotes(platform.lake);
        ModelRegistry models = new ModelRegistry(platform.lake);
        MetadataDb db = new MetadataDb(platform.lake)) {
      assertThat(notes.find(orders).tags()).containsExactly("gold");
      ModelVersion champion = models.resolve(new ModelRef("churn", ModelRef.LATEST, "champion"));
      assertThat(champion.version()).isEqualTo(1);
      assertThat(models.file(champion)).containsExactly(1, 2, 3);
      assertThat(models.deployments())
          .extracting(ModelRegistry.Deployment::target)
          .containsExactly("champion");
      Leases leases = new Leases(db);
      assertThat(leases.acquire("pipeline/p", "worker-b", Duration.ofMinutes(1)))
          .as("worker-a's lease is live")
          .isEqualTo(-1);
      assertThat(leases.find("pipeline/p").holder()).isEqualTo("worker-a");
    }
  }
}
