package dev.dataflow.bench;

/**
 * One execution of a query: prepare, execute and fetch every row, timed together because that is
 * what a client waits for.
 *
 * @param rows rows fetched
 * @param nanos wall time from prepare to the last row
 * @param checksum a hash of every value, kept so fetching them cannot be optimized away
 */
record Run(long rows, long nanos, long checksum) {}
