package dev.dataflow.ingest.jdbc;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

  private static final long BACKSLASHES = 0x5C5C5C5C5C5C5C5CL;

  /** Finished files that may wait for a batch: 128 MiB of COPY output per stream. */
  static final int AHEAD = 8;

  /**
   * A finished spool file (null when the stream had no row) with its rows and bytes, whether a
   * value in it is escaped ({@link #escapes}) and whether it ends the stream; or the failure that
   * ended the export.
   */
  record Chunk(
      Path file, long rows, long bytes, boolean escapes, boolean streamEnd, Exception failure) {}

  private final PGConnection source;
  private final CopyOut copy;
  private final Path spool;
  private final long fileRows;
  private final String prefix;

  /**
   * The write buffer, one for all files: under half a G1 region, and not allocated per file, since
   * every allocation of a region or more starts a concurrent collection once the heap is half full.
   */
  private final byte[] buffer = new byte[256 << 10];

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
        chunks.offer(new Chunk(null, 0, 0, false, true, e));
      }
    }
  }

  private void exportRows() throws IOException, SQLException, InterruptedException {
    byte[] line = copy.readFromCopy();
    if (line == null) {
      chunks.put(new Chunk(null, 0, 0, false, true, null));
      return;
    }
    while (line != null && !closing) {
      Path file = spool.resolve(prefix + "-" + chunk++ + ".csv");
      writing = file;
      long rows = 0;
      long written = 0;
      boolean escaped = false;
      try (OutputStream out = Files.newOutputStream(file)) {
        int buffered = 0;
        do {
          if (buffered + line.length > buffer.length) {
            out.write(buffer, 0, buffered);
            buffered = 0;
          }
          if (line.length > buffer.length) {
            out.write(line);
          } else {
            System.arraycopy(line, 0, buffer, buffered, line.length);
            buffered += line.length;
          }
          escaped = escaped || escapes(line);
          written += line.length;
          rows++;
          line = copy.readFromCopy();
        } while (line != null && rows < fileRows && written < SourceStream.CHUNK_BYTES);
        out.write(buffer, 0, buffered);
      }
      chunks.put(new Chunk(file, rows, written, escaped, line == null, null));
      writing = null;
    }
  }

  /**
   * Whether a row of PostgreSQL's text format has an escaped value: a backslash other than that of
   * the NULL marker {@code \N} (a backslash in a value is written as two, so a value never puts an
   * N after one). A spool file without one is read without unescaping its text columns: on TPC-H
   * lineitem (five text columns) the unescaping took 8 % of DuckDB's parse and Parquet write. Reads
   * eight bytes at a time.
   */
  static boolean escapes(byte[] row) {
    int i = 0;
    for (; i + Long.BYTES <= row.length; i += Long.BYTES) {
      long word = (long) LONGS.get(row, i) ^ BACKSLASHES;
      // nonzero when a byte of the word is zero, i.e. was a backslash
      if (((word - 0x0101010101010101L) & ~word & 0x8080808080808080L) != 0
          && escapes(row, i, i + Long.BYTES)) {
        return true;
      }
    }
    return escapes(row, i, row.length);
  }

  private static boolean escapes(byte[] row, int from, int to) {
    for (int i = from; i < to; i++) {
      if (row[i] == '\\' && (i + 1 == row.length || row[i + 1] != 'N')) {
        return true;
      }
    }
    return false;
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
