package dev.dataflow.api;

import java.util.concurrent.ThreadFactory;

/**
 * Threads that never keep the JVM alive: background work (timers, downloads, pipeline threads) ends
 * with the process, whose shutdown hook stops that work in order first.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** A factory of daemon threads that all carry {@code name}, for thread dumps. */
  public static ThreadFactory named(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
