package dev.dataflow.server;

/**
 * What a Dataflow process does. One process on one machine does everything ({@link #ALL}); beyond
 * one machine each role is its own process, all on one metadata store and one warehouse.
 */
public enum Role {
  /** Everything in one process: the embedded default. */
  ALL,
  /** Console, REST, Flight SQL, SQL and the catalog; pipelines run on workers. */
  COORDINATOR,
  /** Runs the pipelines whose lease it takes; serves only its health and metrics over HTTP. */
  WORKER,
  /**
   * Answers the V2 inference protocol for the deployed models (model files from the warehouse),
   * following deployment and alias changes within seconds; keeps no state of its own.
   */
  SERVING;

  boolean runsPipelines() {
    return this == ALL || this == WORKER;
  }

  boolean servesQueries() {
    return this == ALL || this == COORDINATOR;
  }
}
