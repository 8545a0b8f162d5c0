package dev.dataflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.parse.Statement;
import dev.dataflow.sql.parse.StatementParser;
import dev.dataflow.sql.plan.PlanLimits;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The statements that once held a core and gigabytes for a minute before they ran: each is refused
 * by a limit within a second, naming the limit; with the limits out of the way, a cancel still
 * stops the planner at its next node.
 */
class StatementLimitsTest {
  /** The statement of the report: 20 000 {@code SELECT 1} joined by UNION ALL, 300 KB. */
  static final String UNIONS = String.join(" UNION ALL ", Collections.nCopies(20_000, "SELECT 1"));

  /** An expression 10 000 levels deep. */
  static final String DEEP = "SELECT " + String.join(" + ", Collections.nCopies(10_000, "1"));

  /** What no ordinary statement reaches: the limits out of the way. */
  static final PlanLimits UNLIMITED =
      new PlanLimits(
          Integer.MAX_VALUE,
          Integer.MAX_VALUE,
          200_000,
          Integer.MAX_VALUE,
          Integer.MAX_VALUE,
          Long.MAX_VALUE);

  @TempDir Path dir;
  private Lake lake;

  @BeforeEach
  void start() {
    lake = Lake.open(LakeConfig.embedded(dir));
  }

  @AfterEach
  void stop() {
    lake.close();
  }

  /** A 10 000-way join of views over a table. */
  static String joinOfViews(int ways) {
    StringBuilder sql = new StringBuilder("SELECT count(*) FROM s.v AS v0");
    for (int i = 1; i < ways; i++) {
      sql.append(" JOIN s.v v").append(i).append(" USING(k)");
    }
    return sql.toString();
  }

  private SqlService service(PlanLimits limits) {
    return new SqlService(lake, EngineConfig.defaults(dir).withLimits(limits));
  }

  /** The refusal of a statement within a second, as it comes with the default limits. */
  private static DataflowException refusal(SqlService sql, String statement) {
    return refusal(sql, statement, 1_000);
  }

  /**
   * The refusal of a statement within {@code millis}. With its length limit raised, a statement is
   * refused only after DuckDB parsed it, which nothing interrupts.
   */
  private static DataflowException refusal(SqlService sql, String statement, long millis) {
    long start = System.nanoTime();
    Throwable thrown = null;
    try (Execution execution = sql.execute("test", statement)) {
      execution.next();
    } catch (DataflowException e) {
      thrown = e;
    }
    assertThat(thrown).as("refused").isInstanceOf(DataflowException.class);
    assertThat((System.nanoTime() - start) / 1_000_000).as("ms to the refusal").isLessThan(millis);
    return (DataflowException) thrown;
  }

  @Test
  void refusesTheReportedStatementByEachOfItsLimits() {
    try (SqlService sql = service(PlanLimits.defaults())) {
      DataflowException error = refusal(sql, UNIONS);
      assertThat(error.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(error.getMessage()).contains("characters long").contains("--max-statement-length");
      assertThat(sql.jobs().recent(null, 1))
          .as("nothing stored of a statement not taken")
          .isEmpty();
    }
    try (SqlService sql = service(new PlanLimits(1 << 20, 20_000, 1_000, 64, 1_000, 1L << 30))) {
      DataflowException error = refusal(sql, UNIONS, 10_000);
      assertThat(error.getMessage())
          .contains("more than 1000 UNION, INTERSECT or EXCEPT")
          .contains("--max-plan-set-operations");
    }
    try (SqlService sql = service(new PlanLimits(1 << 20, 20_000, 1_000, 64, 100_000, 1L << 30))) {
      DataflowException error = refusal(sql, UNIONS, 10_000);
      assertThat(error.getMessage())
          .contains("20000 parse-tree nodes")
          .contains("--max-plan-nodes");
    }
    try (SqlService sql = service(PlanLimits.defaults())) {
      String allowed = String.join(" UNION ALL ", Collections.nCopies(1_000, "SELECT 1"));
      assertThat(rows(sql, "SELECT count(*) FROM (" + allowed + ")")).isEqualTo("1000");
    }
  }

  @Test
  void refusesADeepExpression() {
    try (SqlService sql = service(PlanLimits.defaults())) {
      DataflowException error = refusal(sql, DEEP);
      assertThat(error.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(error.getMessage())
          .contains("nests deeper than 1000")
          .contains("--max-plan-depth");
      // an expression under DuckDB's own parser limit but over the planner's
      error = refusal(sql, "SELECT " + String.join(" + ", Collections.nCopies(600, "1")));
      assertThat(error.getMessage()).contains("nests deeper than 1000");
      assertThat(rows(sql, "SELECT " + String.join(" + ", Collections.nCopies(100, "1"))))
          .isEqualTo("100");
    }
  }

  @Test
  void refusesAJoinOfTenThousandViews() {
    try (SqlService sql = service(PlanLimits.defaults())) {
      createView(sql);
      DataflowException error = refusal(sql, joinOfViews(10_000));
      assertThat(error.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(error.getMessage()).contains("--max-plan-");
      error = refusal(sql, joinOfViews(66));
      assertThat(error.getMessage()).contains("joins more than 64").contains("--max-plan-joins");
      assertThat(rows(sql, joinOfViews(20))).isEqualTo("1");
    }
  }

  @Test
  void refusesPlanningThatTakesMoreThanItsMemory() {
    try (SqlService sql =
        service(new PlanLimits(1 << 20, 1_000_000, 1_000, 64, 100_000, 16L << 20))) {
      DataflowException error =
          refusal(sql, String.join(" UNION ALL ", Collections.nCopies(5_000, "SELECT 1")), 10_000);
      assertThat(error.code()).isEqualTo(ErrorCode.LIMIT_EXCEEDED);
      assertThat(error.getMessage()).contains("took more than 16 MB").contains("--max-plan-memory");
    }
  }

  @Test
  void aCancelStopsThePlannerAtItsNextNode() {
    try (SqlService sql = service(UNLIMITED)) {
      createView(sql);
      for (String statement : new String[] {UNIONS, joinOfViews(1_000)}) {
        int[] asked = {0};
        // the planner asks at every node: answering yes on the 500th is a cancel mid-binding
        assertThatThrownBy(
                () ->
                    sql.planner()
                        .plan(
                            sql.engine().connect(),
                            (Statement.Query) StatementParser.parse(statement),
                            Set.of(),
                            () -> ++asked[0] >= 500))
            .isInstanceOf(CancellationException.class);
        assertThat(asked[0]).isEqualTo(500);
      }
    }
  }

  private static void createView(SqlService sql) {
    try (Execution execution = sql.execute("test", "CREATE TABLE s.t AS SELECT 1 AS k")) {
      execution.updateCount();
    }
    try (Execution execution = sql.execute("test", "CREATE VIEW s.v AS SELECT k FROM s.t")) {
      execution.updateCount();
    }
  }

  private static String rows(SqlService sql, String query) {
    try (Execution execution = sql.execute("test", query)) {
      execution.next();
      return String.valueOf(execution.batch().getVector(0).getObject(0));
    }
  }
}
