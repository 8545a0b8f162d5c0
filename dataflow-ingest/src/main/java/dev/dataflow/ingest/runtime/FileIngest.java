package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.files.CsvOptions;
import dev.dataflow.ingest.files.FileFormat;
import dev.dataflow.ingest.files.FileReadResult;
import dev.dataflow.ingest.files.FileReader;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.FilesOrigin;
import dev.dataflow.sql.Engine;
import dev.dataflow.sql.EngineConfig;
import dev.dataflow.sql.SqlService;
import dev.dataflow.sql.write.EngineErrors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.apache.iceberg.Table;

/**
 * Loads the files of a directory into the lake. Each run lists the files that match the glob, leaves
 * out those already committed (the offsets live in the destination's snapshots), and loads the rest
 * in batches of about {@code commit.max_rows} rows, one commit each. Reading happens in a DuckDB of
 * the run's own that may touch only the source directory and the warehouse.
 */
final class FileIngest {
  private static final int MAX_FILES_PER_BATCH = 1000;

  private final SqlService sql;
  private final PipelineSpec spec;
  private final FilesOrigin origin;
  private final Path directory;

  FileIngest(SqlService sql, PipelineSpec spec) {
    this.sql = requireNonNull(sql, "sql is null");
    this.spec = requireNonNull(spec, "spec is null");
    this.origin = (FilesOrigin) spec.origin();
    if (!"file".equals(origin.location().getScheme())) {
      throw new DataflowException(
          ErrorCode.UNSUPPORTED, "Only local directories can be read yet, not " + origin.location());
    }
    this.directory = Path.of(origin.location());
  }

  /** Loads every pending file; {@code onBatch} sees each committed batch with the bytes it read. */
  RunRecord run(RunRecord run, BooleanSupplier stopped, BiConsumer<Batch, Long> onBatch) {
    List<String> pending = pendingFiles();
    RunRecord totals = run;
    try (Engine engine = engine()) {
      int next = 0;
      while (next < pending.size() && !stopped.getAsBoolean()) {
        try (var connection = engine.connect();
            Statement statement = connection.createStatement()) {
          List<String> files = new ArrayList<>();
          long bytes = 0;
          long rows = 0;
          BatchProcessor.createErrorStaging(statement);
          while (next < pending.size() && rows < spec.commit().maxRows() && files.size() < MAX_FILES_PER_BATCH) {
            String file = pending.get(next++);
            FileReadResult read = read(statement, file, "__df_f" + files.size());
            files.add(file);
            if (read != null) {
              rows += read.good();
              bytes += read.bytes();
            }
          }
          createInput(statement, files.size());
          BatchProcessor processor = new BatchProcessor(sql, spec, statement);
          Batch batch = processor.commit(run.id(), batchId(files), files, processor.transform());
          onBatch.accept(batch, bytes);
          totals = add(totals, batch, bytes, files.size());
        } catch (SQLException e) {
          throw EngineErrors.translate(e);
        }
      }
    }
    return totals;
  }

  /** The stages and would-be errors of the first {@code limit} input rows; nothing is committed. */
  Preview preview(int limit) {
    List<String> files = pendingFiles();
    if (files.isEmpty()) {
      files = matchingFiles();
    }
    try (Engine engine = engine();
        var connection = engine.connect();
        Statement statement = connection.createStatement()) {
      BatchProcessor.createErrorStaging(statement);
      long rows = 0;
      int count = 0;
      for (String file : files) {
        if (rows >= limit) {
          break;
        }
        FileReadResult read = read(statement, file, "__df_f" + count++);
        rows += read == null ? 0 : read.records();
      }
      createInput(statement, count);
      statement.execute("CREATE OR REPLACE TABLE input AS SELECT * FROM input LIMIT " + limit);
      BatchProcessor processor = new BatchProcessor(sql, spec, statement);
      Map<String, Preview.Rows> stages = new LinkedHashMap<>();
      processor.transform().keySet().forEach(stage -> stages.put(stage, rows(statement, "SELECT * FROM " + Engine.identifier(stage), limit)));
      return new Preview(stages, rows(statement, "SELECT * FROM " + BatchProcessor.ERRORS, limit));
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** Reads one file; a file that vanished is an error record, not a failed run. */
  private FileReadResult read(Statement statement, String file, String target) throws SQLException {
    try {
      return FileReader.read(
          statement, directory.resolve(file), format(), csv(), new LinkedHashMap<>(origin.columns()), target, BatchProcessor.ERRORS);
    } catch (DataflowException e) {
      if (e.code() != ErrorCode.NOT_FOUND) {
        throw e;
      }
      statement.execute(
          "INSERT INTO " + BatchProcessor.ERRORS + " VALUES (" + Engine.literal(file) + ", NULL, NULL, 'read', "
              + Engine.literal(e.getMessage()) + ")");
      return null;
    }
  }

  /** The batch's rows: every file read, by column name. */
  private static void createInput(Statement statement, int files) throws SQLException {
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < files; i++) {
      if (exists(statement, "__df_f" + i)) {
        parts.add("SELECT * FROM __df_f" + i);
      }
    }
    if (parts.isEmpty()) {
      statement.execute("CREATE OR REPLACE TABLE input AS SELECT NULL::VARCHAR AS __df_file, NULL::BIGINT AS __df_row WHERE false");
      return;
    }
    statement.execute("CREATE OR REPLACE TABLE input AS " + String.join(" UNION ALL BY NAME ", parts));
  }

  private static boolean exists(Statement statement, String table) throws SQLException {
    try (ResultSet rows =
        statement.executeQuery("SELECT count(*) FROM duckdb_tables() WHERE table_name = " + Engine.literal(table))) {
      rows.next();
      return rows.getLong(1) > 0;
    }
  }

  private List<String> pendingFiles() {
    List<String> files = matchingFiles();
    if (spec.destinations().get(0).mode() == PipelineSpec.WriteMode.OVERWRITE) {
      return files;
    }
    Table table = sql.lake().tableOrNull(spec.destinations().get(0).table());
    if (table == null) {
      return files;
    }
    Set<String> done = Offsets.committedFiles(table, spec.name());
    return files.stream().filter(file -> !done.contains(file)).toList();
  }

  /** Files under the directory whose path relative to it matches the glob, in name order. */
  private List<String> matchingFiles() {
    if (!Files.isDirectory(directory)) {
      throw new DataflowException(ErrorCode.NOT_FOUND, "Source directory " + directory + " does not exist");
    }
    PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + origin.glob());
    try (Stream<Path> paths = Files.walk(directory)) {
      return paths
          .filter(Files::isRegularFile)
          .map(directory::relativize)
          .filter(matcher::matches)
          .map(Path::toString)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Engine engine() {
    Path spill = sql.warehouse().getParent().resolve("spill").resolve("pipeline-" + spec.name());
    EngineConfig config = new EngineConfig("2GB", Runtime.getRuntime().availableProcessors(), Duration.ZERO, spill);
    Engine engine = new Engine(config, List.of(directory, sql.warehouse()));
    try (var connection = engine.connect();
        Statement statement = connection.createStatement()) {
      StageFunctions.register(statement);
    } catch (SQLException e) {
      engine.close();
      throw EngineErrors.translate(e);
    }
    return engine;
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

  private static RunRecord add(RunRecord run, Batch batch, long bytes, int files) {
    return new RunRecord(
        run.id(),
        run.pipeline(),
        run.startedAt(),
        run.endedAt(),
        run.status(),
        run.rowsIn() + batch.rowsIn(),
        run.rowsOut() + batch.rowsOut(),
        run.rowsError() + batch.rowsError(),
        run.bytes() + bytes,
        run.files() + files,
        batch.snapshotId() >= 0 ? batch.snapshotId() : run.snapshotId(),
        run.error());
  }

  private static Preview.Rows rows(Statement statement, String query, int limit) {
    try (ResultSet result = statement.executeQuery(query + " LIMIT " + limit)) {
      int count = result.getMetaData().getColumnCount();
      List<String> columns = new ArrayList<>();
      for (int i = 1; i <= count; i++) {
        columns.add(result.getMetaData().getColumnName(i));
      }
      List<List<Object>> rows = new ArrayList<>();
      while (result.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
          row.add(plain(result.getObject(i)));
        }
        rows.add(row);
      }
      return new Preview.Rows(columns, rows);
    } catch (SQLException e) {
      throw EngineErrors.translate(e);
    }
  }

  /** Numbers, booleans and text as they are; every other value as its text. */
  private static Object plain(Object value) {
    return value == null || value instanceof Number || value instanceof Boolean || value instanceof String
        ? value
        : value.toString();
  }
}
