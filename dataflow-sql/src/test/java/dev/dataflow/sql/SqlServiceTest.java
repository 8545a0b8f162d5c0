package dev.dataflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import dev.dataflow.sql.plan.DatasetRead;
import dev.dataflow.sql.plan.PlannedQuery;
import java.nio.file.Path;
import java.util.List;
import org.apache.iceberg.Table;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqlServiceTest {
  @TempDir Path dir;
  private Lake lake;
  private SqlService sql;

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
    sql = new SqlService(lake, EngineConfig.defaults(dir));
  }

  @AfterEach
  void stop() {
    sql.close();
    lake.close();
  }

  private List<List<String>> rows(String statement) {
    return Statements.rows(sql, statement);
  }

  private long update(String statement) {
    return Statements.update(sql, statement);
  }

  @Test
  void createsInsertsQueriesAndDropsTables() {
    assertThat(update("CREATE TABLE s.t AS SELECT range AS id, 'n' || range AS name FROM range(5)"))
        .isEqualTo(5);
    assertThat(update("INSERT INTO s.t SELECT 10, 'ten'")).isEqualTo(1);
    assertThat(rows("SELECT count(*), max(id) FROM s.t")).containsExactly(List.of("6", "10"));
    assertThat(rows("SELECT t.name FROM s.t AS t WHERE t.id = 10")).containsExactly(List.of("ten"));
    update("DROP TABLE s.t");
    assertThat(lake.tableOrNull(DatasetPath.of("s", "t"))).isNull();
  }

  @Test
  void timeTravelsToAnEarlierSnapshot() {
    update("CREATE TABLE s.t AS SELECT 1 AS id");
    long first = lake.table(DatasetPath.of("s", "t")).currentSnapshot().snapshotId();
    update("INSERT INTO s.t VALUES (2)");
    assertThat(rows("SELECT count(*) FROM s.t")).containsExactly(List.of("2"));
    assertThat(rows("SELECT count(*) FROM s.t AT (VERSION => " + first + ")"))
        .containsExactly(List.of("1"));
  }

  @Test
  void prunesPartitionsOfPartitionedTables() {
    update(
        "CREATE TABLE s.events PARTITIONED BY (day(ts), bucket(4, id), kind) AS SELECT range AS id,"
            + " TIMESTAMP '2026-01-01 00:00:00' + to_days(CAST(range % 10 AS INTEGER)) AS ts,"
            + " CASE WHEN range % 2 = 0 THEN 'a' ELSE 'b' END AS kind FROM range(1000)");
    Table table = lake.table(DatasetPath.of("s", "events"));
    assertThat(table.spec().fields()).hasSize(3);
    try (Execution execution =
        sql.execute(
            "test", "SELECT count(*) FROM s.events WHERE ts >= '2026-01-09' AND kind = 'a'")) {
      execution.next();
      assertThat(execution.batch().getVector(0).getObject(0).toString()).isEqualTo("100");
      DatasetRead read = execution.reads().get(0);
      assertThat(read.filesRead()).isLessThan((int) read.totalFiles()).isPositive();
    }
    assertThat(rows("SELECT count(*) FROM s.events WHERE id = 7")).containsExactly(List.of("1"));
    assertThat(rows("SELECT * FROM s.events WHERE id = 3").get(0))
        .containsExactly("3", "2026-01-04T00:00", "b");
    update(
        "CREATE TABLE s.monthly PARTITIONED BY (month(day)) AS SELECT range AS id,"
            + " DATE '2025-01-15' + CAST(range AS INTEGER) AS day FROM range(365)");
    try (Execution execution =
        sql.execute("test", "SELECT count(*) FROM s.monthly WHERE day >= DATE '2025-12-01'")) {
      execution.next();
      assertThat(execution.batch().getVector(0).getObject(0).toString()).isEqualTo("45");
      DatasetRead read = execution.reads().get(0);
      assertThat(read.totalFiles()).isEqualTo(13);
      assertThat(read.filesRead()).isEqualTo(2);
    }
  }

  @Test
  void expandsStackedViewsAndReportsMissingUpstream() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(10)");
    update("CREATE VIEW v.evens AS SELECT id FROM s.t WHERE id % 2 = 0");
    update("CREATE VIEW v.big_evens AS SELECT id FROM v.evens WHERE id > 4");
    assertThat(rows("SELECT count(*) FROM v.big_evens")).containsExactly(List.of("2"));
    update("DROP TABLE s.t");
    assertThatThrownBy(() -> rows("SELECT * FROM v.big_evens"))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("v.evens")
        .hasMessageContaining("s.t");
  }

  @Test
  void reusesAPlanUntilADatasetItReadsChanges() throws Exception {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(3)");
    update("CREATE VIEW v.ids AS SELECT id FROM s.t");
    Statement.Query query = (Statement.Query) StatementParser.parse("SELECT count(*) FROM v.ids");
    try (var connection = sql.engine().connect()) {
      PlannedQuery first = sql.planner().plan(connection, query);
      assertThat(sql.planner().plan(connection, query)).isSameAs(first);

      update("INSERT INTO s.t VALUES (3)");
      PlannedQuery inserted = sql.planner().plan(connection, query);
      assertThat(inserted).isNotSameAs(first);
      assertThat(inserted.reads()).isNotEqualTo(first.reads());
      assertThat(rows(query.text())).containsExactly(List.of("4"));

      update("CREATE OR REPLACE VIEW v.ids AS SELECT id FROM s.t WHERE id > 0");
      assertThat(sql.planner().plan(connection, query)).isNotSameAs(inserted);
      assertThat(rows(query.text())).containsExactly(List.of("3"));

      update("DROP TABLE s.t");
      update("CREATE TABLE s.t AS SELECT range AS id FROM range(10)");
      assertThat(rows(query.text())).containsExactly(List.of("9"));
      update("DROP TABLE s.t");
      assertThatThrownBy(() -> sql.planner().plan(connection, query))
          .hasMessageContaining("s.t does not exist");
    }
  }

  /** Iceberg's catalog answers a missing a.b.c with table b's metadata table c. */
  @Test
  void aPathOfATableAndAMetadataTableNameIsNoDataset() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(3)");
    assertThat(lake.tableOrNull(DatasetPath.of("s", "t", "snapshots"))).isNull();
    assertThatThrownBy(() -> rows("SELECT * FROM s.t.snapshots"))
        .hasMessageContaining("s.t.snapshots does not exist");
  }

  @Test
  void resolvesFoldersWrittenAsOneQuotedSchema() {
    update("CREATE TABLE s.t AS SELECT range AS id FROM range(3)");
    update("CREATE VIEW v.sub.all_ids AS SELECT id FROM s.t");
    assertThat(rows("SELECT count(*) FROM v.sub.all_ids")).containsExactly(List.of("3"));
    assertThat(rows("SELECT count(*) FROM \"v.sub\".\"all_ids\"")).containsExactly(List.of("3"));
    assertThat(rows("SELECT count(*) FROM S.T")).containsExactly(List.of("3"));
  }

  @Test
  void refusesSqlThatReachesOutsideTheCatalog() {
    for (String statement :
        List.of(
            "SELECT * FROM read_csv('/etc/passwd')",
            "SELECT * FROM '/etc/passwd'",
            "SELECT * FROM 'data.parquet'",
            "COPY (SELECT 1) TO '/tmp/x.csv'",
            "ATTACH '/tmp/x.db'",
            "INSTALL httpfs",
            "LOAD httpfs",
            "SET enable_external_access = true",
            "PRAGMA enable_profiling",
            "SELECT * FROM glob('/*')")) {
      assertThatThrownBy(() -> rows(statement))
          .as(statement)
          .isInstanceOfSatisfying(
              DataflowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_ALLOWED));
    }
  }

  @Test
  void reportsSyntaxErrorsWithLineAndColumn() {
    assertThatThrownBy(() -> rows("SELECT 1\nFROM s.t WHERE"))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.SYNTAX_ERROR);
              assertThat(e.line()).isEqualTo(2);
            });
    assertThatThrownBy(() -> rows("SELECT * FROM s.nope"))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
              assertThat(e.getMessage()).contains("s.nope");
              assertThat(e.column()).isEqualTo(15);
            });
    assertThatThrownBy(() -> rows("SELECT CAST('a' || range AS INTEGER) FROM range(3)"))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              assertThat(e.getMessage()).contains("Could not convert string 'a0'");
            });
    update("CREATE TABLE s.t AS SELECT 1 AS id");
    assertThatThrownBy(() -> rows("SELECT nope FROM s.t"))
        .isInstanceOfSatisfying(
            DataflowException.class, e -> assertThat(e.getMessage()).contains("nope"));
  }

  @Test
  void stopsStatementsAtTheirTimeLimitAndOnCancel() {
    String slow =
        "SELECT count(*) FROM range(100000) a, range(100000) b WHERE a.range + b.range = -1";
    try (SqlService limited =
        new SqlService(
            lake,
            EngineConfig.defaults(dir).withStatementTimeout(java.time.Duration.ofMillis(300)))) {
      assertThatThrownBy(
              () -> {
                try (Execution execution = limited.execute("test", slow)) {
                  execution.next();
                }
              })
          .isInstanceOfSatisfying(
              DataflowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT));
    }
    Thread canceller =
        new Thread(
            () -> {
              // the aggregate runs inside execute(): cancel it from here, as REST and Flight do
              while (sql.jobs().recent(null, 1).stream()
                  .noneMatch(j -> j.status() == JobStatus.RUNNING)) {
                Thread.onSpinWait();
              }
              sql.cancel(sql.jobs().recent(null, 1).get(0).id());
            });
    canceller.start();
    assertThatThrownBy(
            () -> {
              try (Execution execution = sql.execute("test", slow)) {
                execution.next();
              }
            })
        .isInstanceOfSatisfying(
            DataflowException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
    assertThat(sql.jobs().recent(null, 1).get(0).status()).isEqualTo(JobStatus.CANCELLED);
  }

  @Test
  void recordsEveryStatementAsAJob() {
    update("CREATE TABLE s.t AS SELECT 1 AS id");
    rows("SELECT * FROM s.t");
    assertThatThrownBy(() -> rows("SELECT * FROM s.missing")).isInstanceOf(DataflowException.class);
    List<JobRecord> jobs = sql.jobs().recent(null, 10);
    assertThat(jobs).hasSize(3);
    assertThat(jobs.get(0).status()).isEqualTo(JobStatus.FAILED);
    assertThat(jobs.get(0).errorMessage()).contains("s.missing");
    assertThat(jobs.get(1).status()).isEqualTo(JobStatus.COMPLETED);
    assertThat(jobs.get(1).rows()).isEqualTo(1);
    assertThat(jobs.get(1).datasets()).containsExactly("s.t");
  }
}
