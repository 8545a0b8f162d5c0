package dev.dataflow.ingest.runtime;

import java.util.List;
import java.util.Map;

/**
 * What one batch did: rows read, written and in error, and per stage the rows it produced. {@code
 * snapshotId} is the commit that holds the batch and its offsets (-1 in a preview); {@code source}
 * the source commit times of its changes, when the origin knows them, else null.
 */
record Batch(
    long rowsIn,
    long rowsOut,
    long rowsError,
    Map<String, Long> stageRows,
    long snapshotId,
    List<String> notes,
    OriginReader.SourceTimes source) {
  Batch withSource(OriginReader.SourceTimes times) {
    return new Batch(rowsIn, rowsOut, rowsError, stageRows, snapshotId, notes, times);
  }
}
