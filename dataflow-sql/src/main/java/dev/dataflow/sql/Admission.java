package dev.dataflow.sql;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * Decides when a planned statement may run, so heavy work queues instead of piling up (Dremio's
 * queues, Trino's resource groups, in small). At most {@code maxRunning} statements run at once and
 * at most {@code maxRunningPerPrincipal} of one principal; the last {@code shortSlots} of those are
 * kept for short statements, so a small query is never stuck behind big ones. The rest wait in
 * order, at most {@code maxQueued} of them and each at most {@code queueTimeout}; a statement that
 * cannot run yet never holds back one behind it that can.
 *
 * <p>A statement is short when its plan reads at most {@code shortScanBytes} of data files and
 * makes no rows of its own: the planner's estimate of its weight, known before it runs.
 */
public final class Admission {
  /** The settings of {@link Admission}; see there. */
  public record Settings(
      int maxRunning,
      int maxRunningPerPrincipal,
      int shortSlots,
      long shortScanBytes,
      int maxQueued,
      Duration queueTimeout) {
    public Settings {
      requireNonNull(queueTimeout, "queueTimeout is null");
      if (maxRunning < 1 || maxRunningPerPrincipal < 1 || maxQueued < 0) {
        throw new IllegalArgumentException(
            "at least one statement must run, overall and per principal, and the queue cannot be"
                + " negative");
      }
      if (shortSlots < 0 || shortSlots >= maxRunning) {
        throw new IllegalArgumentException(
            "short slots must leave at least one of the " + maxRunning + " slots to any statement");
      }
    }

    /** Twice the cores, one kept for short statements, 100 waiting for up to five minutes. */
    public static Settings defaults() {
      int running = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
      return new Settings(running, running, 1, 64L << 20, 100, Duration.ofMinutes(5));
    }
  }

  /** A statement that holds or waits for a slot; {@link #release()} gives the slot back. */
  public final class Ticket {
    private final String principal;
    private final boolean heavy;
    private boolean admitted;
    private boolean released;

    private Ticket(String principal, boolean heavy) {
      this.principal = principal;
      this.heavy = heavy;
    }

    /** Frees the slot (or the place in the queue); calling it again does nothing. */
    public void release() {
      synchronized (Admission.this) {
        if (released) {
          return;
        }
        released = true;
        if (admitted) {
          running--;
          if (heavy) {
            runningHeavy--;
          }
          byPrincipal.merge(principal, -1, Integer::sum);
        } else {
          waiting.remove(this);
        }
        dispatch();
      }
    }
  }

  private final Settings settings;
  private final List<Ticket> waiting = new ArrayList<>();
  private final Map<String, Integer> byPrincipal = new HashMap<>();
  private int running;
  private int runningHeavy;
  private long timedOut;
  private long rejected;

  public Admission(Settings settings) {
    this.settings = requireNonNull(settings, "settings is null");
  }

  public Settings settings() {
    return settings;
  }

  /**
   * Takes a slot for a statement at once, or a place in the queue ({@link #isAdmitted} tells
   * which); a full queue is refused with {@link ErrorCode#RESOURCE_EXHAUSTED}.
   */
  public synchronized Ticket enqueue(String principal, boolean heavy) {
    requireNonNull(principal, "principal is null");
    Ticket ticket = new Ticket(principal, heavy);
    if (!fits(ticket) && waiting.size() >= settings.maxQueued()) {
      rejected++;
      throw new DataflowException(
          ErrorCode.RESOURCE_EXHAUSTED,
          running
              + " statements are running and "
              + waiting.size()
              + " waiting, the most the queue holds: try again later (operators: --max-queued)");
    }
    waiting.add(ticket);
    dispatch();
    return ticket;
  }

  public synchronized boolean isAdmitted(Ticket ticket) {
    return ticket.admitted;
  }

  /**
   * Waits until a queued statement has its slot. {@code stopped} is polled while it waits (a
   * cancel, a statement timeout) and ends the wait with a {@link CancellationException}; a wait
   * past the queue timeout is refused with {@link ErrorCode#RESOURCE_EXHAUSTED}. Either way the
   * statement has left the queue.
   */
  public synchronized void await(Ticket ticket, BooleanSupplier stopped) {
    long deadline = System.nanoTime() + settings.queueTimeout().toNanos();
    while (!ticket.admitted) {
      long left = deadline - System.nanoTime();
      if (stopped.getAsBoolean()) {
        ticket.release();
        throw new CancellationException("stopped while queued");
      }
      if (left <= 0) {
        ticket.release();
        timedOut++;
        throw new DataflowException(
            ErrorCode.RESOURCE_EXHAUSTED,
            "The statement waited "
                + settings.queueTimeout().toSeconds()
                + " s in the queue without a free slot: try again later (operators:"
                + " --queue-timeout, --max-running)");
      }
      try {
        // cancels do not notify: polled at this pace, a queued statement stops within 100 ms
        wait(Math.min(100, Math.max(1, left / 1_000_000)));
      } catch (InterruptedException e) {
        ticket.release();
        Thread.currentThread().interrupt();
        throw new CancellationException("interrupted while queued");
      }
    }
  }

  /** Starts every waiting statement that fits now, in order. */
  private void dispatch() {
    for (Ticket ticket : new ArrayList<>(waiting)) {
      if (fits(ticket)) {
        waiting.remove(ticket);
        start(ticket);
      }
    }
    notifyAll();
  }

  private boolean fits(Ticket ticket) {
    return running < settings.maxRunning()
        && byPrincipal.getOrDefault(ticket.principal, 0) < settings.maxRunningPerPrincipal()
        && (!ticket.heavy || runningHeavy < settings.maxRunning() - settings.shortSlots());
  }

  private void start(Ticket ticket) {
    ticket.admitted = true;
    running++;
    if (ticket.heavy) {
      runningHeavy++;
    }
    byPrincipal.merge(ticket.principal, 1, Integer::sum);
  }

  /** The statement's place in the queue, from 1; 0 once it runs or has ended. */
  public synchronized int place(Ticket ticket) {
    return waiting.indexOf(ticket) + 1;
  }

  public synchronized int running() {
    return running;
  }

  public synchronized int queued() {
    return waiting.size();
  }

  /** Statements refused because the queue was full, since the server started. */
  public synchronized long rejected() {
    return rejected;
  }

  /** Statements that waited past the queue timeout, since the server started. */
  public synchronized long timedOut() {
    return timedOut;
  }
}
