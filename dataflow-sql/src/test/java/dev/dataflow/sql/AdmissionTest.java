package dev.dataflow.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.lake.LakeConfig;
import dev.dataflow.sql.jobs.JobStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdmissionTest {
  /** Runs until cancelled (minutes on any machine), and is heavy: it makes its own rows. */
  static final String HEAVY =
      "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1";

  @TempDir Path dir;

  private static Admission admission(int running, int perPrincipal, int queued, Duration wait) {
    return new Admission(new Admission.Settings(running, perPrincipal, 1, 1_000, queued, wait));
  }

  @Test
  void shortStatementsPassHeavyOnesThatWait() {
    Admission queue = admission(3, 3, 10, Duration.ofSeconds(5));
    Admission.Ticket first = queue.enqueue("a", true);
    queue.enqueue("a", true);
    Admission.Ticket third = queue.enqueue("a", true);
    assertThat(queue.isAdmitted(third)).as("two of three slots may go to heavy work").isFalse();
    assertThat(queue.place(third)).isEqualTo(1);
    Admission.Ticket small = queue.enqueue("a", false);
    assertThat(queue.isAdmitted(small)).as("the short slot").isTrue();
    Admission.Ticket another = queue.enqueue("a", false);
    assertThat(queue.place(another)).isEqualTo(2);
    first.release();
    assertThat(queue.isAdmitted(third)).isTrue();
    assertThat(queue.isAdmitted(another)).isFalse();
    small.release();
    assertThat(queue.isAdmitted(another)).isTrue();
    assertThat(queue.running()).isEqualTo(3);
    assertThat(queue.queued()).isZero();
  }

  @Test
  void boundsEachPrincipal() {
    Admission queue = admission(4, 1, 10, Duration.ofSeconds(5));
    Admission.Ticket alice = queue.enqueue("alice", false);
    Admission.Ticket again = queue.enqueue("alice", false);
    Admission.Ticket bob = queue.enqueue("bob", false);
    assertThat(queue.isAdmitted(again)).isFalse();
    assertThat(queue.isAdmitted(bob)).as("not held back by alice's waiting one").isTrue();
    alice.release();
    assertThat(queue.isAdmitted(again)).isTrue();
  }

  @Test
  void refusesWhenFullAndEndsWaitsPastTheTimeoutOrOnStop() {
    Admission queue = admission(2, 2, 1, Duration.ofMillis(200));
    queue.enqueue("a", true);
    Admission.Ticket waiting = queue.enqueue("a", true);
    assertThatThrownBy(() -> queue.enqueue("a", true))
        .isInstanceOfSatisfying(
            DataflowException.class,
            e -> {
              assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
              assertThat(e.getMessage()).contains("--max-queued");
            });
    assertThat(queue.rejected()).isEqualTo(1);
    assertThatThrownBy(() -> queue.await(waiting, () -> false))
        .isInstanceOfSatisfying(
            DataflowException.class, e -> assertThat(e.getMessage()).contains("--queue-timeout"));
    assertThat(queue.timedOut()).isEqualTo(1);
    assertThat(queue.queued()).isZero();
    Admission.Ticket stopped = queue.enqueue("a", true);
    long start = System.nanoTime();
    assertThatThrownBy(() -> queue.await(stopped, () -> true))
        .isInstanceOf(CancellationException.class);
    assertThat(System.nanoTime() - start).isLessThan(150_000_000L);
    assertThat(queue.queued()).isZero();
  }

  @Test
  void aQueuedJobShowsItsPlaceWhileShortQueriesRunAndIsCancelledAtOnce() throws Exception {
    EngineConfig config =
        EngineConfig.defaults(dir)
            .withAdmission(new Admission.Settings(2, 2, 1, 64L << 20, 10, Duration.ofMinutes(1)));
    try (Lake lake = Lake.open(LakeConfig.embedded(dir));
        SqlService sql = new SqlService(lake, config)) {
      String running = start(sql, HEAVY);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (sql.admission().running() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(sql.admission().running()).as("the first holds the one heavy slot").isEqualTo(1);
      String queued = start(sql, HEAVY);
      awaitStatus(sql, queued, JobStatus.QUEUED);
      assertThat(sql.queuePlace(queued)).isEqualTo(1);
      try (Execution small = sql.execute("test", "SELECT 42")) {
        assertThat(small.next()).isTrue();
        assertThat(small.batch().getVector(0).getObject(0)).isEqualTo(42);
      }
      long cancelled = System.nanoTime();
      assertThat(sql.cancel(queued)).isTrue();
      awaitStatus(sql, queued, JobStatus.CANCELLED);
      assertThat(System.nanoTime() - cancelled).isLessThan(1_000_000_000L);
      assertThat(sql.cancel(running)).isTrue();
      awaitStatus(sql, running, JobStatus.CANCELLED);
      assertThat(sql.admission().running()).isZero();
      assertThat(sql.admission().queued()).isZero();
    }
  }

  private static String start(SqlService sql, String statement) {
    String jobId = UUID.randomUUID().toString();
    // a thread of its own: the common pool may have a single thread on a small machine
    Thread thread =
        new Thread(
            () -> {
              try (Execution execution = sql.execute(jobId, "test", statement, List.of())) {
                execution.next();
              } catch (DataflowException e) {
                // the job records how it ended
              }
            });
    thread.setDaemon(true);
    thread.start();
    return jobId;
  }

  private static void awaitStatus(SqlService sql, String jobId, JobStatus status)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        if (sql.jobs().find(jobId).status() == status) {
          return;
        }
      } catch (DataflowException e) {
        // not recorded yet
      }
      Thread.sleep(10);
    }
    assertThat(sql.jobs().find(jobId).status()).isEqualTo(status);
  }
}
