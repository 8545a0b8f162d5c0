package dev.dataflow.server.flight;

import static org.assertj.core.api.Assertions.assertThat;

import dev.dataflow.server.auth.Authenticator;
import dev.dataflow.sql.Admission;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.Execution;
import dev.dataflow.sql.jobs.JobRecord;
import dev.dataflow.sql.jobs.JobStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Twenty heavy statements at once through the Flight SQL JDBC driver: three run, the rest queue,
 * small queries keep answering beside them, a cancel ends every one, queued or running, and the
 * process grows by no more than the engine's memory limit meanwhile (read from /proc).
 */
class HeavyLoadIT {
  private static final int HEAVY = 20;
  private static final long ENGINE_MEMORY = 1L << 30;

  /** Runs for hours unless cancelled; heavy because it makes its own rows. */
  private static final String HEAVY_SQL =
      "SELECT count(*) FROM range(1000000) a, range(1000000) b WHERE a.range + b.range = -1";

  @TempDir Path dir;

  @Test
  void smallQueriesAnswerWhileHeavyOnesQueueAndEveryOneIsCancelled() throws Exception {
    EngineConfig engine =
        EngineConfig.defaults(dir)
            .withMemoryLimit("1GB")
            .withAdmission(new Admission.Settings(4, 4, 1, 64L << 20, 100, Duration.ofMinutes(5)));
    ExecutorService clients = Executors.newFixedThreadPool(HEAVY);
    AtomicLong peak = new AtomicLong();
    try (FlightTestServer server = new FlightTestServer(dir, Authenticator.open(), engine)) {
      try (Execution create =
          server.sql.execute("test", "CREATE TABLE s.small AS SELECT * FROM range(25)")) {
        create.updateCount();
      }
      long before = residentBytes();
      Thread sampler = sampler(peak);
      List<Statement> statements = new ArrayList<>();
      List<CompletableFuture<SQLException>> heavy = new ArrayList<>();
      for (int i = 0; i < HEAVY; i++) {
        Statement statement = server.connect().createStatement();
        statements.add(statement);
        heavy.add(CompletableFuture.supplyAsync(() -> run(statement), clients));
      }
      awaitQueue(server, 3, HEAVY - 3);

      try (Connection connection = server.connect();
          Statement small = connection.createStatement()) {
        for (int i = 0; i < 10; i++) {
          long start = System.nanoTime();
          try (ResultSet rows = small.executeQuery("SELECT count(*) FROM s.small")) {
            rows.next();
            assertThat(rows.getLong(1)).isEqualTo(25);
          }
          assertThat(Duration.ofNanos(System.nanoTime() - start))
              .as("a small query beside %d heavy ones", HEAVY)
              .isLessThan(Duration.ofSeconds(5));
        }
      }
      assertThat(server.sql.admission().running())
          .as("the heavy ones still hold 3 slots")
          .isEqualTo(3);

      // as POST /jobs/{id}/cancel does: the Flight SQL JDBC driver (18.3) can neither cancel nor
      // time out a statement while executeQuery waits for it (cancel() blocks on the lock
      // executeQuery holds, and the call has no deadline)
      for (JobRecord job : server.sql.jobs().recent(null, 100)) {
        if (job.sql().equals(HEAVY_SQL) && !job.status().isFinal()) {
          assertThat(server.sql.cancel(job.id())).isTrue();
        }
      }
      for (CompletableFuture<SQLException> outcome : heavy) {
        assertThat((Throwable) outcome.get(10, TimeUnit.SECONDS))
            .as("ended with an error")
            .isNotNull();
      }
      awaitQueue(server, 0, 0);
      List<JobRecord> jobs = server.sql.jobs().recent(null, 100);
      assertThat(jobs.stream().filter(j -> j.sql().equals(HEAVY_SQL)).toList())
          .hasSize(HEAVY)
          .allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.CANCELLED));
      sampler.interrupt();
      assertThat(peak.get() - before)
          .as("growth of the resident set over the run, bytes")
          .isLessThan(ENGINE_MEMORY + (512L << 20));
      for (Statement statement : statements) {
        statement.getConnection().close();
      }
    } finally {
      clients.shutdownNow();
    }
  }

  private static SQLException run(Statement statement) {
    try (ResultSet rows = statement.executeQuery(HEAVY_SQL)) {
      rows.next();
      return null;
    } catch (SQLException e) {
      return e;
    }
  }

  private static void awaitQueue(FlightTestServer server, int running, int queued)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    Admission admission = server.sql.admission();
    while (System.nanoTime() < deadline
        && (admission.running() != running || admission.queued() != queued)) {
      Thread.sleep(20);
    }
    assertThat(admission.running()).as("running").isEqualTo(running);
    assertThat(admission.queued()).as("queued").isEqualTo(queued);
  }

  private static Thread sampler(AtomicLong peak) {
    Thread thread =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(residentBytes(), Math::max);
                try {
                  Thread.sleep(50);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  /** VmRSS of this process, which runs the server. */
  private static long residentBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
      throw new IllegalStateException("no VmRSS in /proc/self/status");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
