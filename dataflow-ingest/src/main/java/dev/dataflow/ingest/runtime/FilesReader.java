package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.files.CsvOptions;
import dev.dataflow.ingest.files.CsvScan;
import dev.dataflow.ingest.files.FileFormat;
import dev.dataflow.ingest.files.FileReadResult;
import dev.dataflow.ingest.files.FileReader;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.FilesOrigin;
import dev.dataflow.sql.Engine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import org.apache.iceberg.Table;

/**
 * The files origin: the files of a directory or an S3 prefix that match the glob, less those
 * already committed (the offsets are the file names relative to the location, kept in the
 * destination's snapshots), in name order, in batches of about {@code commit.max_rows} rows.
 */
final class FilesReader implements OriginReader {
  private static final int MAX_FILES_PER_BATCH = 1000;

  /** How much of a file {@link #estimatedRecords} reads. */
  private static final int ESTIMATE_SAMPLE = 1 << 20;

  private final PipelineSpec spec;
  private final FilesOrigin origin;
  private final FileSource source;
  private final List<String> pending;
  private int next;

  /**
   * Whether a batch's {@code input} is a view over scans of its files ({@link
   * PipelineSpec#readsInputOnce}, CSV with declared columns the scanner converts itself): the write
   * then parses, converts and encodes them in one pass instead of reading them into tables first.
   */
  private final boolean scanned;

  /** The local copies the current batch's view reads, released when the next batch starts. */
  private final List<Path> fetched = new ArrayList<>();

  /**
   * @param spools where an S3 origin makes its spool directory of downloaded objects
   */
  FilesReader(dev.dataflow.lake.Lake lake, PipelineSpec spec, Path spools) {
    this.spec = requireNonNull(spec, "spec is null");
    this.origin = (FilesOrigin) spec.origin();
    this.source =
        "s3".equals(origin.location().getScheme())
            ? new S3Files(spec.name(), origin.location(), origin.s3(), spools)
            : new LocalFiles(Path.of(origin.location()));
    try {
      this.pending = pendingFiles(lake);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    this.scanned =
        spec.readsInputOnce()
            && origin.format() == PipelineSpec.Format.CSV
            && CsvScan.supports(origin.columns());
  }

  @Override
  public List<Path> directories() {
    return List.of(source.directory());
  }

  @Override
  public void close() {
    releaseFetched();
    source.close();
  }

  @Override
  public Pending next(Statement statement) throws SQLException {
    releaseFetched();
    if (next >= pending.size()) {
      return null;
    }
    Staging.clear(statement);
    if (scanned) {
      return nextScanned(statement);
    }
    List<String> files = new ArrayList<>();
    long bytes = 0;
    long rows = 0;
    while (roomFor(files.size(), rows)) {
      String file = pending.get(next++);
      FileReadResult read = read(statement, file, Staging.fileTable(files.size()));
      files.add(file);
      if (read != null) {
        rows += read.good();
        bytes += read.bytes();
      }
    }
    Staging.input(statement, files.size(), 0);
    return new Pending(batchId(files), Offsets.files(files), bytes, files.size());
  }

  /** Whether a batch of {@code files} files and {@code rows} rows takes one more pending file. */
  private boolean roomFor(int files, long rows) {
    return next < pending.size() && rows < spec.commit().maxRows() && files < MAX_FILES_PER_BATCH;
  }

  /**
   * The next batch as a view over scans of its files, which the write runs: about {@code
   * commit.max_rows} records by an estimate from each file's first bytes, as the files are not read
   * before. Their rejects reach the error table after the write ({@link LateRejects}).
   */
  private Pending nextScanned(Statement statement) throws SQLException {
    List<String> files = new ArrayList<>();
    List<Path> locals = new ArrayList<>();
    List<String> names = new ArrayList<>();
    long bytes = 0;
    long rows = 0;
    while (roomFor(files.size(), rows)) {
      String file = pending.get(next++);
      files.add(file);
      Path local = fetch(statement, file);
      if (local == null) {
        continue;
      }
      long size = size(statement, file, local);
      if (size <= 0) {
        // an empty file has no records; a vanished one is an error record (size < 0)
        continue;
      }
      bytes += size;
      rows += estimatedRecords(local, size);
      locals.add(local);
      names.add(source.uri(file));
    }
    CsvScan scan =
        locals.isEmpty()
            ? null
            : CsvScan.of(statement, locals, names, csv(), new LinkedHashMap<>(origin.columns()));
    try {
      Staging.inputOf(statement, scan == null ? null : scan.query(), origin.columns());
    } catch (SQLException | RuntimeException e) {
      if (scan != null) {
        scan.close();
      }
      throw e;
    }
    LateRejects rejects = new ScanRejects(scan, locals, names);
    return new Pending(
        batchId(files), Offsets.files(files), bytes, files.size(), null, -1, rejects);
  }

  /**
   * What a scanned batch rejected, known after the write; if the scan failed a file as a whole
   * (records ending in both LF and CRLF), or ran its records together, the batch's files are read
   * again one by one, as a batch with stages reads them, which copes.
   */
  private final class ScanRejects implements LateRejects {
    private final CsvScan scan;
    private final List<Path> locals;
    private final List<String> names;

    ScanRejects(CsvScan scan, List<Path> locals, List<String> names) {
      this.scan = scan;
      this.locals = locals;
      this.names = names;
    }

    @Override
    public void collect(Statement statement) throws SQLException {
      if (scan != null) {
        try (scan) {
          scan.rejectsTo(BatchProcessor.ERRORS);
        }
      }
    }

    @Override
    public boolean reread(Statement statement, Exception failure) throws SQLException {
      if (scan == null || !CsvScan.failedWhole(failure)) {
        return false;
      }
      scan.close();
      for (int i = 0; i < locals.size(); i++) {
        readLocal(statement, locals.get(i), names.get(i), Staging.fileTable(i));
      }
      Staging.input(statement, locals.size(), 0);
      return true;
    }
  }

  /** A file's size; -1 (and an error record) when it vanished. */
  private long size(Statement statement, String file, Path local) throws SQLException {
    try {
      return Files.size(local);
    } catch (NoSuchFileException e) {
      vanished(statement, file, FileReader.notFound(local).getMessage());
      return -1;
    } catch (IOException e) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "cannot read " + local + ": " + e.getMessage(), e);
    }
  }

  /**
   * The records of a CSV file, estimated from the lines in its first bytes: enough to cut batches
   * of about the size asked for without reading the file twice.
   */
  private static long estimatedRecords(Path file, long size) {
    byte[] sample = new byte[(int) Math.min(size, ESTIMATE_SAMPLE)];
    int read;
    try (InputStream in = Files.newInputStream(file)) {
      read = in.readNBytes(sample, 0, sample.length);
    } catch (IOException e) {
      // the scan reports what is wrong with the file
      return 1;
    }
    long lines = 0;
    for (int i = 0; i < read; i++) {
      if (sample[i] == '\n') {
        lines++;
      }
    }
    return read == 0 ? 1 : Math.max(1, lines * size / read);
  }

  private void releaseFetched() {
    fetched.forEach(source::release);
    fetched.clear();
  }

  /** The local copy of a file, kept until the batch is committed; null when it vanished. */
  private Path fetch(Statement statement, String file) throws SQLException {
    try {
      Path local = source.fetch(file);
      fetched.add(local);
      return local;
    } catch (DataflowException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
      vanished(statement, file, e.getMessage());
      return null;
    }
  }

  @Override
  public void preview(Statement statement, int limit) throws SQLException {
    List<String> files = pending.isEmpty() ? matchingFiles() : pending;
    long rows = 0;
    int count = 0;
    for (String file : files) {
      if (rows >= limit) {
        break;
      }
      FileReadResult read = read(statement, file, Staging.fileTable(count++));
      rows += read == null ? 0 : read.records();
    }
    Staging.input(statement, count, limit);
  }

  /** Reads one file; a file that vanished is an error record, not a failed run. */
  private FileReadResult read(Statement statement, String file, String target) throws SQLException {
    try {
      Path local = source.fetch(file);
      try {
        return readLocal(statement, local, source.uri(file), target);
      } finally {
        source.release(local);
      }
    } catch (DataflowException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
      vanished(statement, file, e.getMessage());
      return null;
    }
  }

  /** Reads a fetched file into {@code target}, its rows and errors named {@code uri}. */
  private FileReadResult readLocal(Statement statement, Path local, String uri, String target)
      throws SQLException {
    FileReadResult read =
        FileReader.read(
            statement,
            local,
            format(),
            csv(),
            new LinkedHashMap<>(origin.columns()),
            target,
            BatchProcessor.ERRORS);
    relabel(statement, local, uri, target);
    return read;
  }

  /** A file listed for the batch that is gone is an error record, not a failed run. */
  private static void vanished(Statement statement, String file, String reason)
      throws SQLException {
    Staging.error(statement, file, null, null, "read", reason);
  }

  /**
   * Names the rows and errors of a fetched copy by the file's own location (an S3 object is read
   * from a spool file whose path means nothing to a user).
   */
  private static void relabel(Statement statement, Path local, String uri, String target)
      throws SQLException {
    String read = local.toAbsolutePath().normalize().toString();
    if (read.equals(uri)) {
      return;
    }
    statement.execute("UPDATE " + target + " SET __df_file = " + Engine.literal(uri));
    statement.execute(
        "UPDATE "
            + BatchProcessor.ERRORS
            + " SET file = "
            + Engine.literal(uri)
            + " WHERE file = "
            + Engine.literal(read));
  }

  private List<String> pendingFiles(dev.dataflow.lake.Lake lake) {
    List<String> files = matchingFiles();
    if (spec.destinations().get(0).mode() == PipelineSpec.WriteMode.OVERWRITE) {
      return files;
    }
    Table table = lake.tableOrNull(spec.destinations().get(0).table());
    if (table == null) {
      return files;
    }
    Set<String> done = Offsets.committedFiles(table, spec.name());
    return files.stream().filter(file -> !done.contains(file)).toList();
  }

  /** Files under the location whose path relative to it matches the glob, in name order. */
  private List<String> matchingFiles() {
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + origin.glob());
    return source.list().stream().filter(name -> matcher.matches(Path.of(name))).sorted().toList();
  }

  private FileFormat format() {
    return FileFormat.valueOf(origin.format().name());
  }

  private CsvOptions csv() {
    PipelineSpec.CsvOptions csv = origin.csv();
    if (csv == null) {
      return CsvOptions.defaults();
    }
    return new CsvOptions(
        csv.header(),
        String.valueOf(csv.delimiter()),
        String.valueOf(csv.quote()),
        String.valueOf(csv.escape()),
        csv.nullString());
  }

  /** The same files always make the same batch id, so a retry after a crash is recognized. */
  private String batchId(List<String> files) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(spec.name().getBytes(StandardCharsets.UTF_8));
      for (String file : files) {
        digest.update((byte) 0);
        digest.update(file.getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(digest.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
