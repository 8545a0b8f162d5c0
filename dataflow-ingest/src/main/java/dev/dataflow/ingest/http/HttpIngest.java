package dev.dataflow.ingest.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The spool of one pipeline with an http origin. Each accepted request becomes file {@code
 * <sequence>.jsonl}, written and fsynced before the request is acknowledged, so an acknowledged row
 * survives a crash. The pipeline reads the files in sequence order and commits the highest sequence
 * with the rows (in the Iceberg snapshot); files up to the committed sequence are then deleted, so
 * what was acknowledged is committed exactly once. Rows spooled but not committed are the pending
 * rows that bound how far clients may run ahead. Thread-safe: requests come on server threads while
 * the pipeline's worker reads.
 */
public final class HttpIngest {
  private static final String SUFFIX = ".jsonl";

  /** What an accepted request became: its record count and its sequence number. */
  public record Accepted(long accepted, long sequence) {}

  /** A spooled request that is not committed yet. */
  public record Spooled(long sequence, Path file, long rows) {}

  /** The pipeline is behind: the client should retry after {@code retryAfterSeconds}. */
  public static final class Behind extends DataflowException {
    private final long retryAfterSeconds;

    Behind(String message, long retryAfterSeconds) {
      super(ErrorCode.RESOURCE_EXHAUSTED, message);
      this.retryAfterSeconds = retryAfterSeconds;
    }

    public long retryAfterSeconds() {
      return retryAfterSeconds;
    }
  }

  private final String pipeline;
  private final Path directory;
  private final TreeMap<Long, Spooled> spooled = new TreeMap<>();
  private long next;
  private long pendingRows;
  private volatile int maxPendingRows;
  private volatile long retryAfterSeconds = 1;

  /** Opens the spool in {@code directory}, dropping what {@code committed} already covers. */
  HttpIngest(String pipeline, Path directory, long committed) {
    this.pipeline = requireNonNull(pipeline, "pipeline is null");
    this.directory = requireNonNull(directory, "directory is null");
    try {
      Files.createDirectories(directory);
      deleteTemporaries();
      for (Path file : spoolFiles()) {
        long sequence = sequence(file);
        spooled.put(sequence, new Spooled(sequence, file, lines(file)));
        pendingRows += spooled.get(sequence).rows();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the ingest spool " + directory, e);
    }
    this.next = Math.max(committed, spooled.isEmpty() ? 0 : spooled.lastKey()) + 1;
    committed(committed);
  }

  /** The directory the pipeline reads the spool files from. */
  public Path directory() {
    return directory;
  }

  /** Takes the pipeline's current limits (its definition may have been applied again). */
  void limits(int maxPendingRows, long retryAfterSeconds) {
    this.maxPendingRows = maxPendingRows;
    this.retryAfterSeconds = Math.max(1, retryAfterSeconds);
  }

  /**
   * Spools a request body ({@code application/x-ndjson} or {@code application/json}) and answers
   * its sequence once it is on disk.
   *
   * @throws DataflowException INVALID_ARGUMENT when the body holds no JSON records at all
   * @throws Behind when more than {@code max_pending_rows} rows wait for a commit
   */
  public Accepted accept(byte[] body, String contentType) {
    IngestBody.Lines lines = IngestBody.parse(requireNonNull(body, "body is null"), contentType);
    if (lines.rows() == 0) {
      return new Accepted(0, lastSequence());
    }
    checkPending();
    // the slow part, writing and syncing, runs unlocked; only the sequence and the rename are
    // serialized
    Path temporary = write(lines.text());
    return publish(temporary, lines.rows());
  }

  /** The rows accepted but not committed yet. */
  public synchronized long pendingRows() {
    return pendingRows;
  }

  /**
   * The spooled requests after {@code sequence}, in order, at least one and as long as they add up
   * to less than {@code maxRows} rows.
   */
  public synchronized List<Spooled> after(long sequence, long maxRows) {
    List<Spooled> batch = new ArrayList<>();
    long rows = 0;
    for (Spooled file : spooled.tailMap(sequence, false).values()) {
      if (!batch.isEmpty() && rows + file.rows() > maxRows) {
        break;
      }
      batch.add(file);
      rows += file.rows();
    }
    return batch;
  }

  /**
   * Everything up to {@code sequence} is committed: its files go, its rows stop counting as
   * pending.
   */
  public synchronized void committed(long sequence) {
    while (!spooled.isEmpty() && spooled.firstKey() <= sequence) {
      Spooled done = spooled.pollFirstEntry().getValue();
      pendingRows -= done.rows();
      try {
        Files.deleteIfExists(done.file());
      } catch (IOException e) {
        // harmless: a file at or below the committed sequence is skipped and dropped at the next
        // open
      }
    }
    next = Math.max(next, sequence + 1);
  }

  private synchronized long lastSequence() {
    return next - 1;
  }

  private void checkPending() {
    long pending = pendingRows();
    if (pending > maxPendingRows) {
      throw new Behind(
          "Pipeline "
              + pipeline
              + " is behind: "
              + pending
              + " rows wait for a commit, more than max_pending_rows "
              + maxPendingRows
              + "; retry after "
              + retryAfterSeconds
              + " s",
          retryAfterSeconds);
    }
  }

  private Path write(byte[] text) {
    Path temporary = directory.resolve(UUID.randomUUID() + ".tmp");
    try (FileChannel channel =
        FileChannel.open(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(text);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
      return temporary;
    } catch (IOException e) {
      deleteQuietly(temporary);
      throw new UncheckedIOException(
          "Cannot spool a request of pipeline " + pipeline + " to " + directory, e);
    }
  }

  private synchronized Accepted publish(Path temporary, long rows) {
    long sequence = next++;
    Path file = directory.resolve(sequence + SUFFIX);
    try {
      Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
      syncDirectory();
    } catch (IOException e) {
      deleteQuietly(temporary);
      deleteQuietly(file);
      throw new UncheckedIOException(
          "Cannot spool a request of pipeline " + pipeline + " to " + file, e);
    }
    spooled.put(sequence, new Spooled(sequence, file, rows));
    pendingRows += rows;
    return new Accepted(rows, sequence);
  }

  /** The rename is durable only once the directory entry is. */
  private void syncDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }

  private List<Path> spoolFiles() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      return files
          .filter(file -> file.getFileName().toString().matches("[0-9]+\\" + SUFFIX))
          .toList();
    }
  }

  /** Requests that were being written when the process stopped were never acknowledged. */
  private void deleteTemporaries() throws IOException {
    try (Stream<Path> files = Files.list(directory)) {
      files
          .filter(file -> file.getFileName().toString().endsWith(".tmp"))
          .forEach(HttpIngest::deleteQuietly);
    }
  }

  private static long sequence(Path file) {
    String name = file.getFileName().toString();
    return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
  }

  private static long lines(Path file) throws IOException {
    try (Stream<String> lines = Files.lines(file)) {
      return lines.filter(line -> !line.isBlank()).count();
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a leftover temporary is deleted when the spool is next opened
    }
  }
}
