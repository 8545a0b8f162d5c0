package dev.dataflow.server.http;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.Execution;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ReadChannel;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.MessageMetadataResult;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Field;
import org.duckdb.DuckDBConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Query results kept as Arrow IPC files, one per job ({@code <data dir>/jobs/<id>.arrow}), so that
 * a result of any size is written batch by batch and read back one page at a time: memory stays
 * bounded by a batch, never by a result. A file appears (renamed from a temporary one) only once
 * complete, and is deleted after {@link #RETENTION}.
 */
final class ResultFiles implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ResultFiles.class);
  static final Duration RETENTION = Duration.ofDays(1);
  private static final String SUFFIX = ".arrow";
  private static final String TEMPORARY = ".arrow.tmp";
  private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

  /** One page of a result. */
  record Page(List<ResultColumn> columns, List<List<Object>> rows, long offset, long totalRows) {}

  record ResultColumn(String name, String type) {}

  private final Path directory;
  private final BufferAllocator allocator = new RootAllocator();

  /** Temporary files being written now, which a clean-up must leave alone. */
  private final Set<String> writing = ConcurrentHashMap.newKeySet();

  ResultFiles(Path directory) {
    this.directory = requireNonNull(directory, "directory is null");
    try {
      Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the job result directory " + directory, e);
    }
  }

  /**
   * Deletes results older than {@link #RETENTION} and temporary files no writer of this process
   * holds (left by a crash). A temporary file being written is never touched, however old.
   */
  void deleteExpired() {
    Instant cutoff = Instant.now().minus(RETENTION);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(directory)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        boolean abandoned = name.endsWith(TEMPORARY) && !writing.contains(name);
        boolean expired =
            name.endsWith(SUFFIX) && Files.getLastModifiedTime(file).toInstant().isBefore(cutoff);
        if (abandoned || expired) {
          Files.deleteIfExists(file);
        }
      }
    } catch (IOException | DirectoryIteratorException e) {
      LOG.warn("Cannot clean up job results in {}: {}", directory, e.toString());
    }
  }

  /**
   * Streams every batch of a query into its job's file; a cancelled or failed job leaves no partial
   * file (the execution throws CANCELLED once it is cancelled).
   */
  void write(Execution execution) {
    String jobId = execution.jobId();
    Path temporary = directory.resolve(checked(jobId) + TEMPORARY);
    writing.add(temporary.getFileName().toString());
    try {
      writeBatches(execution, temporary);
      Files.move(
          temporary,
          file(jobId),
          StandardCopyOption.REPLACE_EXISTING,
          StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new DataflowException(
          ErrorCode.INTERNAL, "Cannot store the result of job " + jobId + ": " + e.getMessage(), e);
    } finally {
      writing.remove(temporary.getFileName().toString());
      deleteQuietly(temporary);
    }
  }

  private static void writeBatches(Execution execution, Path temporary) throws IOException {
    try (FileChannel channel =
            FileChannel.open(
                temporary,
                StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE);
        ArrowFileWriter writer = new ArrowFileWriter(execution.batch(), null, channel)) {
      writer.start();
      while (execution.next()) {
        writer.writeBatch();
      }
      writer.end();
    }
  }

  /**
   * Rows {@code [offset, offset + limit)} of a job's result; null when the job has no result file.
   */
  Page read(String jobId, long offset, int limit) {
    try (FileChannel channel = FileChannel.open(file(jobId), StandardOpenOption.READ);
        ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
      VectorSchemaRoot root = reader.getVectorSchemaRoot();
      List<List<Object>> rows = new ArrayList<>();
      long total = 0;
      for (ArrowBlock block : reader.getRecordBlocks()) {
        long count = rowCount(channel, block);
        long from = Math.max(offset, total);
        long to = Math.min(offset + limit, total + count);
        if (from < to) {
          reader.loadRecordBatch(block);
          for (long row = from - total; row < to - total; row++) {
            rows.add(ArrowJson.row(root, (int) row));
          }
        }
        total += count;
      }
      return new Page(columns(root.getSchema().getFields()), rows, offset, total);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new DataflowException(
          ErrorCode.INTERNAL, "Cannot read the result of job " + jobId + ": " + e.getMessage(), e);
    }
  }

  /**
   * Writes a job's result as a CSV (with header) or Parquet file in the engine's spill directory,
   * the one place besides the warehouse DuckDB may write; null when the job has no result file.
   */
  Path export(String jobId, Engine engine, String format) {
    Path target =
        engine.config().spillDirectory().resolve("export-" + UUID.randomUUID() + "." + format);
    String options = "csv".equals(format) ? "FORMAT csv, HEADER true" : "FORMAT parquet";
    try (FileChannel channel = FileChannel.open(file(jobId), StandardOpenOption.READ);
        DuckDBConnection connection = engine.connect();
        ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator);
        Statement statement = connection.createStatement()) {
      // the exported stream owns the reader and closes it when DuckDB releases the stream
      Data.exportArrayStream(allocator, new ArrowFileReader(channel, allocator), stream);
      String name = "df_export_" + jobId.replace('-', '_');
      connection.registerArrowStream(name, stream);
      statement.execute(
          "COPY (SELECT * FROM "
              + name
              + ") TO "
              + Engine.literal(target.toString())
              + " ("
              + options
              + ")");
      return target;
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException | SQLException e) {
      deleteQuietly(target);
      throw new DataflowException(
          ErrorCode.INTERNAL,
          "Cannot export the result of job " + jobId + ": " + e.getMessage(),
          e);
    }
  }

  /** A batch's row count from its message header alone, so skipped batches are never loaded. */
  private static long rowCount(FileChannel channel, ArrowBlock block) throws IOException {
    channel.position(block.getOffset());
    MessageMetadataResult message = MessageSerializer.readMessage(new ReadChannel(channel));
    if (message == null) {
      throw new IOException("truncated batch at offset " + block.getOffset());
    }
    return ((RecordBatch) message.getMessage().header(new RecordBatch())).length();
  }

  private static List<ResultColumn> columns(List<Field> fields) {
    return fields.stream().map(f -> new ResultColumn(f.getName(), ArrowJson.typeName(f))).toList();
  }

  private Path file(String jobId) {
    return directory.resolve(checked(jobId) + SUFFIX);
  }

  /** Job ids name files: anything but a plain id could reach outside the directory. */
  private static String checked(String jobId) {
    if (!JOB_ID.matcher(jobId).matches()) {
      throw new DataflowException(ErrorCode.INVALID_ARGUMENT, "Not a job id: " + jobId);
    }
    return jobId;
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      LOG.warn("Cannot delete {}: {}", file, e.toString());
    }
  }

  @Override
  public void close() {
    allocator.close();
  }
}
