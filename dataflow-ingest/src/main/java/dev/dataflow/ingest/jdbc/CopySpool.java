package dev.dataflow.ingest.jdbc;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The rows of one {@code COPY … TO STDOUT}, written by a thread of its own into spool files of
 * about {@value SourceStream#CHUNK_BYTES} bytes, ahead of the batches that load them: PostgreSQL
 * goes on exporting while the previous batch is parsed, written and committed, which on a bulk load
 * otherwise leaves it idle for a third of the time. At most {@value #AHEAD} finished files wait
 * (the spool is bounded on disk, and Java holds one row and a write buffer). One row is read ahead,
 * so the file that holds the last row says so.
 */
final class CopySpool implements AutoCloseable {
  /** Finished files that may wait for a batch: 128 MiB of COPY output per stream. */
  static final int AHEAD = 8;

  /**
   * A finished spool file (null when the stream had no row) with its rows and bytes and whether it
   * ends the stream; or the failure that ended the export.
   */
  record Chunk(Path file, long rows, long bytes, boolean streamEnd, Exception failure) {}

  private final PGConnection source;
  private final CopyOut copy;
  private final Path spool;
  private final long fileRows;
  private final String prefix;
  private final BlockingQueue<Chunk> chunks = new ArrayBlockingQueue<>(AHEAD);
  private final ExecutorService thread;
  private volatile boolean closing;
  private volatile Path writing;
  private int chunk;

  /** The file {@link #peek} returned and {@link #take} did not yet. */
  private Chunk head;

  /** Starts exporting at once, into files {@code <spool>/<prefix>-<n>.csv}. */
  CopySpool(PGConnection source, CopyOut copy, Path spool, String prefix, long fileRows) {
    this.source = source;
    this.copy = copy;
    this.spool = spool;
    this.fileRows = fileRows;
    this.prefix = prefix;
    this.thread = Executors.newSingleThreadExecutor(SourceStream.daemon("dataflow-jdbc-copy"));
    thread.execute(this::export);
  }

  /**
   * The next finished file, left in place, waiting for it when {@code wait} (else null when none is
   * finished yet); a failure of the export is thrown here.
   */
  Chunk peek(boolean wait) throws SQLException {
    if (head == null) {
      try {
        head = wait ? chunks.take() : chunks.poll();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new DataflowException(ErrorCode.CANCELLED, "read interrupted");
      }
    }
    if (head == null) {
      return null;
    }
    if (head.failure() instanceof SQLException sql) {
      throw sql;
    }
    if (head.failure() != null) {
      throw new SQLException(
          "Cannot spool the COPY output: " + head.failure().getMessage(), head.failure());
    }
    return head;
  }

  /** Takes the file {@link #peek} returned: the caller now owns it. */
  void take() {
    head = null;
  }

  private void export() {
    try {
      exportRows();
    } catch (InterruptedException e) {
      // closed: nobody waits for more
    } catch (IOException | SQLException | RuntimeException e) {
      if (!closing) {
        chunks.offer(new Chunk(null, 0, 0, true, e));
      }
    }
  }

  private void exportRows() throws IOException, SQLException, InterruptedException {
    byte[] line = copy.readFromCopy();
    if (line == null) {
      chunks.put(new Chunk(null, 0, 0, true, null));
      return;
    }
    while (line != null && !closing) {
      Path file = spool.resolve(prefix + "-" + chunk++ + ".csv");
      writing = file;
      long rows = 0;
      long written = 0;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
        do {
          out.write(line);
          written += line.length;
          rows++;
          line = copy.readFromCopy();
        } while (line != null && rows < fileRows && written < SourceStream.CHUNK_BYTES);
      }
      chunks.put(new Chunk(file, rows, written, line == null, null));
      writing = null;
    }
  }

  /**
   * Stops the export (a COPY still running is cancelled by PostgreSQL), waits for its thread and
   * deletes the files no batch took.
   */
  @Override
  public void close() {
    closing = true;
    thread.shutdownNow();
    try {
      if (!thread.awaitTermination(100, TimeUnit.MILLISECONDS)) {
        // blocked on the socket: only PostgreSQL can end a read in flight
        source.cancelQuery();
        thread.awaitTermination(10, TimeUnit.SECONDS);
      }
    } catch (SQLException e) {
      // the connection is closed next, which ends the read too
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Path> left = new ArrayList<>();
    if (head != null) {
      left.add(head.file());
    }
    chunks.forEach(c -> left.add(c.file()));
    left.add(writing);
    for (Path file : left) {
      if (file != null) {
        SourceStream.deleteQuietly(file);
      }
    }
  }
}
