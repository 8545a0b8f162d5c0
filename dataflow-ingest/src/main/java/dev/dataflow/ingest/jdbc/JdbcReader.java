package dev.dataflow.ingest.jdbc;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.OriginReader;
import dev.dataflow.ingest.runtime.SpoolDirectory;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.JdbcOrigin;
import dev.dataflow.sql.Engine;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * The jdbc origin: a table or query of a database, read into the run's DuckDB table {@code input}.
 *
 * <p>PostgreSQL is read through its bulk path, {@code COPY (SELECT …) TO STDOUT (FORMAT csv)}
 * ({@link org.postgresql.copy.CopyManager}): the rows' bytes are written as they arrive, unparsed,
 * into spool files of about {@value #CHUNK_BYTES} bytes in the reader's own directory under the
 * data directory, and each finished file is loaded by DuckDB's (parallel) CSV reader into {@code
 * input}, its text columns cast to the types mapped from the source's column types, while the next
 * file is written; a loaded file is deleted at once. Memory stays bounded (Java holds a row and a
 * write buffer) and so does the spool (two files per stream). Every other database is read through
 * a streamed JDBC fetch ({@code setFetchSize}), each row through a DuckDB appender into a staging
 * table of text columns, then cast the same way.
 *
 * <p><b>Full load</b> (no {@code cursor}): the whole table or query is one batch, so a run commits
 * all of it or nothing; the next run reads it all again (use {@code mode: overwrite} to replace
 * rather than append). With {@code split: {column, parallelism}} the integral column's [min, max]
 * range is cut into {@code parallelism} even slices, each read by its own thread, connection and
 * COPY stream into its own staging table; on PostgreSQL every slice reads the same exported
 * snapshot, so the slices are consistent with each other. Rows whose split column is NULL go to the
 * first slice.
 *
 * <p><b>Incremental</b> ({@code cursor: {column}}; {@code split} is then ignored): each batch reads
 * rows with {@code column > last} in column order, where {@code last} is the offset {@value
 * #CURSOR} of the pipeline's latest commit to its destination, and returns {@code {dataflow.cursor:
 * max value read}} to be committed with the rows. A batch holds the first {@code commit.max_rows}
 * rows <em>plus every other row with the boundary value</em> (the query reads {@code column <=
 * boundary}), so rows that tie on the cursor value are never split across batches and never
 * skipped; a batch can therefore exceed {@code max_rows} by the number of ties. Rows added later
 * with a cursor value at or below a committed one are not seen (the cursor must grow).
 */
public final class JdbcReader implements OriginReader {
  /** The snapshot summary property that holds the last committed cursor value, as text. */
  public static final String CURSOR = "dataflow.cursor";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(JdbcReader.class);
  private static final int FETCH_SIZE = 10_000;
  private static final String STAGING = "__df_jdbc_s";

  /** The size at which a spool file is closed and loaded (a file always ends at a row's end). */
  static final long CHUNK_BYTES = 16L << 20;

  private final PipelineSpec spec;
  private final JdbcOrigin origin;
  private final Function<String, String> committed;
  private final boolean postgres;

  /** MySQL or MariaDB: read with MariaDB Connector/J, identifiers quoted with backticks. */
  private final boolean mysql;

  private String last;
  private boolean fullDone;
  private final AtomicLong bytes = new AtomicLong();

  /** The directory of this reader's spool files (PostgreSQL only), deleted by {@link #close}. */
  private final Path spool;

  /**
   * @param committed the value of an offset key in the pipeline's latest commit to its destination,
   *     or null
   * @param spools a local directory under which the reader makes its own spool directory for COPY
   *     output; the run's DuckDB reads it ({@link #directories()})
   */
  public JdbcReader(PipelineSpec spec, Function<String, String> committed, Path spools) {
    this.spec = requireNonNull(spec, "spec is null");
    this.origin = (JdbcOrigin) spec.origin();
    this.committed = requireNonNull(committed, "committed is null");
    requireNonNull(spools, "spools is null");
    this.postgres = origin.url().startsWith("jdbc:postgresql:");
    this.mysql = origin.url().startsWith("jdbc:mariadb:") || origin.url().startsWith("jdbc:mysql:");
    if (postgres) {
      this.spool = SpoolDirectory.create(spools, "jdbc");
    } else {
      this.spool = null;
    }
    if (origin.cursor() != null) {
      this.last = committed.apply(CURSOR);
    }
  }

  /** Reads the next batch into {@code input}, or returns null when nothing is pending. */
  @Override
  public Pending next(Statement duckdb) throws SQLException {
    if (origin.cursor() == null) {
      if (fullDone) {
        return null;
      }
      fullDone = true;
      bytes.set(0);
      long start = System.nanoTime();
      long rows = origin.split() != null ? loadSplit(duckdb) : load(duckdb, base());
      LOG.info(
          "Pipeline {}: read {} rows ({} bytes) from {} in {} ms",
          spec.name(),
          rows,
          bytes.get(),
          location(),
          (System.nanoTime() - start) / 1_000_000);
      return new Pending(UUID.randomUUID().toString(), Map.of(), bytes.get(), 1);
    }
    String column = quote(origin.cursor().column());
    String after = last == null ? "" : " WHERE " + column + " > " + literal(last);
    String boundary =
        "SELECT max("
            + column
            + ") FROM (SELECT "
            + column
            + " FROM ("
            + base()
            + ") AS __df_b"
            + after
            + " ORDER BY "
            + column
            + " LIMIT "
            + spec.commit().maxRows()
            + ") AS __df_m";
    String query =
        "SELECT * FROM ("
            + base()
            + ") AS __df_c WHERE "
            + column
            + " <= ("
            + boundary
            + ")"
            + (last == null ? "" : " AND " + column + " > " + literal(last))
            + " ORDER BY "
            + column;
    bytes.set(0);
    long rows = load(duckdb, query);
    if (rows == 0) {
      return null;
    }
    String max;
    try (ResultSet result =
        duckdb.executeQuery(
            "SELECT CAST(max("
                + Engine.identifier(origin.cursor().column())
                + ") AS VARCHAR) FROM input")) {
      result.next();
      max = result.getString(1);
    }
    String id = batchId(last + "\u0000" + max);
    last = max;
    return new Pending(id, Map.of(CURSOR, max), bytes.get(), 1);
  }

  /** Reads at most {@code limit} rows into {@code input}, whatever was committed. */
  @Override
  public void preview(Statement duckdb, int limit) throws SQLException {
    load(duckdb, "SELECT * FROM (" + base() + ") AS __df_p LIMIT " + limit);
  }

  @Override
  public List<Path> directories() {
    return spool == null ? List.of() : List.of(spool);
  }

  @Override
  public void close() {
    if (spool != null) {
      SpoolDirectory.delete(spool);
    }
  }

  /** The rows of the origin: its table or its query. */
  private String base() {
    return origin.table() != null ? "SELECT * FROM " + origin.table() : origin.query();
  }

  /** Reads {@code query} into {@code input} over one connection; returns the rows read. */
  private long load(Statement duckdb, String query) throws SQLException {
    try (Connection source = connect()) {
      List<Column> columns = columns(source, query);
      if (postgres) {
        createTypedInput(duckdb, columns);
        try (DuckDBConnection own =
            (DuckDBConnection) ((DuckDBConnection) duckdb.getConnection()).duplicate()) {
          return spoolCopy(source, query, columns, own, 0);
        }
      }
      createStaging(duckdb, columns, 0);
      long rows;
      try (DuckDBAppender appender =
          ((DuckDBConnection) duckdb.getConnection()).createAppender(STAGING + 0)) {
        rows = copy(source, query, columns, appender);
      }
      createInput(duckdb, columns, 1);
      return rows;
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /** A full load in parallel slices of the split column's range. */
  private long loadSplit(Statement duckdb) throws SQLException {
    int parallelism = Math.max(1, origin.split().parallelism());
    String column = quote(origin.split().column());
    try (Connection coordinator = connect()) {
      String snapshot = null;
      if (postgres) {
        coordinator.setAutoCommit(false);
        coordinator.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement statement = coordinator.createStatement();
            ResultSet result = statement.executeQuery("SELECT pg_export_snapshot()")) {
          result.next();
          snapshot = result.getString(1);
        }
      }
      List<Column> columns = columns(coordinator, base());
      long min;
      long max;
      try (Statement statement = coordinator.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT min("
                      + column
                      + "), max("
                      + column
                      + ") FROM ("
                      + base()
                      + ") AS __df_r")) {
        result.next();
        Object low = result.getObject(1);
        if (low != null && !(low instanceof Number)) {
          throw new DataflowException(
              ErrorCode.INVALID_ARGUMENT,
              "Pipeline "
                  + spec.name()
                  + ": split column "
                  + origin.split().column()
                  + " must be an integer column, not "
                  + low.getClass().getSimpleName());
        }
        min = result.getLong(1);
        max = result.getLong(2);
        if (low == null) {
          parallelism = 1;
        }
      }
      long span = max - min + 1;
      parallelism = (int) Math.max(1, Math.min(parallelism, span));
      long step = span / parallelism + (span % parallelism == 0 ? 0 : 1);
      List<String> slices = new ArrayList<>();
      for (int i = 0; i < parallelism; i++) {
        long low = min + i * step;
        String range =
            i == parallelism - 1
                ? column + " >= " + low
                : column + " >= " + low + " AND " + column + " < " + (low + step);
        slices.add(
            "SELECT * FROM ("
                + base()
                + ") AS __df_s WHERE "
                + range
                + (i == 0 ? " OR " + column + " IS NULL" : ""));
      }
      if (postgres) {
        createTypedInput(duckdb, columns);
      } else {
        for (int i = 0; i < slices.size(); i++) {
          createStaging(duckdb, columns, i);
        }
      }
      DuckDBConnection duck = (DuckDBConnection) duckdb.getConnection();
      AtomicLong rows = new AtomicLong();
      List<Connection> sources = new ArrayList<>();
      ExecutorService pool =
          Executors.newFixedThreadPool(
              slices.size(),
              runnable -> {
                Thread thread = new Thread(runnable, "dataflow-jdbc-" + spec.name());
                thread.setDaemon(true);
                return thread;
              });
      try {
        List<Future<?>> futures = new ArrayList<>();
        for (int i = 0; i < slices.size(); i++) {
          Connection source = connect();
          sources.add(source);
          if (snapshot != null) {
            source.setAutoCommit(false);
            source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement statement = source.createStatement()) {
              statement.execute("SET TRANSACTION SNAPSHOT " + literal(snapshot));
            }
          }
          String slice = slices.get(i);
          String staging = STAGING + i;
          int index = i;
          futures.add(
              pool.submit(
                  () -> {
                    if (postgres) {
                      try (DuckDBConnection own = (DuckDBConnection) duck.duplicate()) {
                        rows.addAndGet(spoolCopy(source, slice, columns, own, index));
                      }
                      return null;
                    }
                    try (DuckDBConnection own = (DuckDBConnection) duck.duplicate();
                        DuckDBAppender appender = own.createAppender(staging)) {
                      rows.addAndGet(copy(source, slice, columns, appender));
                    }
                    return null;
                  }));
        }
        for (Future<?> future : futures) {
          await(future);
        }
      } finally {
        for (Connection source : sources) {
          closeQuietly(source);
        }
        pool.shutdownNow();
      }
      if (!postgres) {
        createInput(duckdb, columns, slices.size());
      }
      return rows.get();
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * Streams {@code COPY (query) TO STDOUT (FORMAT csv)} into spool files of about {@link
   * #CHUNK_BYTES} and inserts each finished file into {@code input} through {@code duck} on a
   * loader thread while the next one is written (so at most two files of this stream exist);
   * returns the rows read.
   */
  private long spoolCopy(
      Connection source, String query, List<Column> columns, DuckDBConnection duck, int stream)
      throws SQLException {
    setUp(source);
    ExecutorService loader =
        Executors.newSingleThreadExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "dataflow-jdbc-load-" + spec.name());
              thread.setDaemon(true);
              return thread;
            });
    String insert = insertFromCsv(columns);
    CopyOut copy =
        source
            .unwrap(PGConnection.class)
            .getCopyAPI()
            .copyOut("COPY (" + query + ") TO STDOUT (FORMAT csv)");
    long rows = 0;
    int chunk = 0;
    Path file = null;
    OutputStream out = null;
    long written = 0;
    Future<?> loading = null;
    try (Statement statement = duck.createStatement()) {
      byte[] line;
      while ((line = copy.readFromCopy()) != null) {
        if (out == null) {
          file = spool.resolve("s" + stream + "-" + chunk++ + ".csv");
          out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
          written = 0;
        }
        out.write(line);
        written += line.length;
        rows++;
        if (written >= CHUNK_BYTES) {
          out.close();
          out = null;
          await(loading);
          loading = loader.submit(load(statement, insert, file));
          bytes.addAndGet(written);
        }
      }
      if (out != null) {
        out.close();
        out = null;
        await(loading);
        loading = loader.submit(load(statement, insert, file));
        bytes.addAndGet(written);
      }
      await(loading);
      loading = null;
      return rows;
    } catch (IOException e) {
      throw new SQLException("Cannot write the spool file " + file + ": " + e.getMessage(), e);
    } finally {
      if (copy.isActive()) {
        try {
          copy.cancelCopy();
        } catch (SQLException ignored) {
          // the connection is going away; the original error is what matters
        }
      }
      if (out != null) {
        try {
          out.close();
        } catch (IOException ignored) {
          // failing anyway
        }
      }
      if (loading != null) {
        loading.cancel(false);
        try {
          loading.get();
        } catch (Exception ignored) {
          // failing anyway; waited so the file is no longer read
        }
      }
      loader.shutdownNow();
      try (Stream<Path> files = Files.list(spool)) {
        for (Path left :
            files.filter(f -> f.getFileName().toString().startsWith("s" + stream + "-")).toList()) {
          Files.deleteIfExists(left);
        }
      } catch (IOException e) {
        LOG.warn(
            "Pipeline {}: cannot clean the spool directory {}: {}",
            spec.name(),
            spool,
            e.toString());
      }
    }
  }

  /** Inserts one spool file into {@code input}, then deletes it. */
  private static java.util.concurrent.Callable<Void> load(
      Statement statement, String insert, Path file) {
    return () -> {
      try {
        statement.execute(insert.replace("__DF_FILE__", Engine.literal(file.toString())));
      } finally {
        Files.deleteIfExists(file);
      }
      return null;
    };
  }

  private void await(Future<?> loading) throws SQLException {
    if (loading == null) {
      return;
    }
    try {
      loading.get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw sql;
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IllegalStateException(cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DataflowException(
          ErrorCode.CANCELLED, "Pipeline " + spec.name() + ": read interrupted");
    }
  }

  /** An empty {@code input} with the mapped types, which the spool files are inserted into. */
  private static void createTypedInput(Statement duckdb, List<Column> columns) throws SQLException {
    List<String> defs = new ArrayList<>();
    for (Column column : columns) {
      defs.add(Engine.identifier(column.name()) + " " + column.duckdbType());
    }
    duckdb.execute("CREATE OR REPLACE TABLE input (" + String.join(", ", defs) + ")");
  }

  /**
   * The INSERT of one spool file ({@code __DF_FILE__} stands for its quoted path): PostgreSQL's
   * CSV, where NULL is an empty unquoted field and an empty string is {@code ""}, read as text and
   * cast.
   */
  private static String insertFromCsv(List<Column> columns) {
    List<String> names = new ArrayList<>();
    List<String> casts = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      // the CSV reader parses each column as its type; bytea arrives as \x hex text
      names.add("'c" + i + "': '" + (column.binary() ? "VARCHAR" : column.duckdbType()) + "'");
      casts.add(column.binary() ? "from_hex(substr(c" + i + ", 3))" : "c" + i);
    }
    return "INSERT INTO input SELECT "
        + String.join(", ", casts)
        + " FROM read_csv(__DF_FILE__, columns = {"
        + String.join(", ", names)
        + "}, header = false, delim = ',', quote = '\"', escape = '\"', "
        + "nullstr = '', allow_quoted_nulls = false, auto_detect = false, strict_mode = true)";
  }

  /**
   * Streams the rows of {@code query} (any database but PostgreSQL) into the appender; returns how
   * many.
   */
  private long copy(Connection source, String query, List<Column> columns, DuckDBAppender appender)
      throws SQLException {
    int width = columns.size();
    long rows = 0;
    if (mysql) {
      // TIMESTAMP columns are shown in the session's zone: read them as UTC, as PostgreSQL's are
      try (Statement statement = source.createStatement()) {
        statement.execute("SET time_zone = '+00:00'");
      }
    }
    try (Statement statement = source.createStatement()) {
      try (ResultSet result = streamed(source, statement, query)) {
        while (result.next()) {
          appender.beginRow();
          for (int i = 1; i <= width; i++) {
            if (columns.get(i - 1).binary()) {
              byte[] value = result.getBytes(i);
              if (value == null) {
                appender.appendNull();
              } else {
                appender.append("\\x" + HexFormat.of().formatHex(value));
                bytes.addAndGet(value.length);
              }
            } else {
              String value = result.getString(i);
              if (value == null) {
                appender.appendNull();
              } else {
                appender.append(value);
                bytes.addAndGet(value.length());
              }
            }
          }
          appender.endRow();
          rows++;
        }
      }
    }
    return rows;
  }

  /**
   * Runs a query whose rows the driver hands over in windows of {@value #FETCH_SIZE} instead of
   * holding the whole result: pgjdbc streams with a fetch size only outside auto-commit, and
   * MariaDB Connector/J streams whenever a fetch size is set (MySQL Connector/J would need {@code
   * Integer.MIN_VALUE} or {@code useCursorFetch}, which is one reason it is not the driver here).
   */
  static ResultSet streamed(Connection source, Statement statement, String query)
      throws SQLException {
    source.setAutoCommit(false);
    statement.setFetchSize(FETCH_SIZE);
    return statement.executeQuery(query);
  }

  /** Session settings that make PostgreSQL's text output parseable by DuckDB casts. */
  private static void setUp(Connection source) throws SQLException {
    try (Statement statement = source.createStatement()) {
      statement.execute("SET TimeZone = 'UTC'");
      statement.execute("SET DateStyle = 'ISO, YMD'");
      statement.execute("SET bytea_output = 'hex'");
      statement.execute("SET extra_float_digits = 3");
    }
  }

  private static void createStaging(Statement duckdb, List<Column> columns, int index)
      throws SQLException {
    List<String> defs = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      defs.add("c" + i + " VARCHAR");
    }
    duckdb.execute(
        "CREATE OR REPLACE TABLE " + STAGING + index + " (" + String.join(", ", defs) + ")");
  }

  /** {@code input} from the staging tables, each text column cast to its mapped type. */
  private static void createInput(Statement duckdb, List<Column> columns, int stagings)
      throws SQLException {
    List<String> casts = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      String value = column.binary() ? "from_hex(substr(c" + i + ", 3))" : "c" + i;
      casts.add(
          "CAST("
              + value
              + " AS "
              + column.duckdbType()
              + ") AS "
              + Engine.identifier(column.name()));
    }
    List<String> parts = new ArrayList<>();
    for (int i = 0; i < stagings; i++) {
      parts.add("SELECT " + String.join(", ", casts) + " FROM " + STAGING + i);
    }
    duckdb.execute("CREATE OR REPLACE TABLE input AS " + String.join(" UNION ALL ", parts));
    for (int i = 0; i < stagings; i++) {
      duckdb.execute("DROP TABLE IF EXISTS " + STAGING + i);
    }
  }

  /** The columns of a query and their DuckDB types, from the metadata of {@code LIMIT 0}. */
  private static List<Column> columns(Connection source, String query) throws SQLException {
    try (Statement statement = source.createStatement();
        ResultSet result =
            statement.executeQuery("SELECT * FROM (" + query + ") AS __df_t LIMIT 0")) {
      ResultSetMetaData meta = result.getMetaData();
      List<Column> columns = new ArrayList<>();
      for (int i = 1; i <= meta.getColumnCount(); i++) {
        columns.add(TypeMapping.column(meta, i));
      }
      return columns;
    }
  }

  private Connection connect() throws SQLException {
    // MariaDB Connector/J reads MySQL too, but takes the jdbc:mysql: scheme only on request
    String url =
        origin.url().startsWith("jdbc:mysql:")
            ? "jdbc:mariadb:" + origin.url().substring("jdbc:mysql:".length())
            : origin.url();
    Properties properties = new Properties();
    if (origin.user() != null) {
      properties.setProperty("user", origin.user());
    }
    String password = password();
    if (password != null) {
      properties.setProperty("password", password);
    }
    return DriverManager.getConnection(url, properties);
  }

  /** The password, a {@code ${env:NAME}} reference resolved from the environment; never logged. */
  private String password() {
    return origin.password() == null
        ? null
        : origin.password().resolve("Pipeline " + spec.name() + ": the jdbc password");
  }

  /**
   * A read that failed: a clear message naming the database (never its password), the run fails.
   */
  private DataflowException failed(SQLException e) {
    String message = e.getMessage();
    String password = origin.password() == null ? null : safePassword();
    if (message != null && password != null && !password.isEmpty()) {
      message = message.replace(password, "******");
    }
    return new DataflowException(
        ErrorCode.INTERNAL,
        "Pipeline "
            + spec.name()
            + ": reading "
            + location()
            + " failed"
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
            + ": "
            + message);
  }

  private String safePassword() {
    try {
      return password();
    } catch (DataflowException e) {
      return null;
    }
  }

  /** The URL without its parameters (which may hold credentials). */
  private String location() {
    String url = origin.url();
    int parameters = url.indexOf('?');
    return parameters < 0 ? url : url.substring(0, parameters);
  }

  private String quote(String identifier) {
    String quote = mysql ? "`" : "\"";
    return quote + identifier.replace(quote, quote + quote) + quote;
  }

  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }

  private String batchId(String range) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      digest.update(spec.name().getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
      digest.update(range.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest.digest(), 0, 12);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void closeQuietly(Connection connection) {
    try {
      connection.close();
    } catch (SQLException ignored) {
      // closing after a failure
    }
  }

  /**
   * A source column: its name, its DuckDB type and whether it is binary (staged as {@code \x} hex).
   */
  record Column(String name, String duckdbType, boolean binary) {}

  /**
   * PostgreSQL (and generic JDBC) column types to DuckDB types; anything unknown is VARCHAR text.
   */
  static final class TypeMapping {
    /**
     * MySQL's unsigned integers, widened to the next signed type (Iceberg has no unsigned ones).
     */
    private static final Map<String, String> UNSIGNED =
        Map.of(
            "tinyint", "SMALLINT",
            "smallint", "INTEGER",
            "mediumint", "BIGINT",
            "int", "BIGINT",
            "integer", "BIGINT",
            "bigint", "DECIMAL(20,0)");

    private TypeMapping() {}

    static Column column(ResultSetMetaData meta, int i) throws SQLException {
      String name = meta.getColumnLabel(i);
      String type =
          meta.getColumnTypeName(i) == null ? "" : meta.getColumnTypeName(i).toLowerCase();
      boolean unsigned = type.endsWith(" unsigned");
      type = unsigned ? type.substring(0, type.length() - " unsigned".length()) : type;
      String duckdb =
          unsigned && UNSIGNED.containsKey(type)
              ? UNSIGNED.get(type)
              : switch (type) {
                case "int2", "smallint" -> "SMALLINT";
                case "int4", "integer", "int", "serial" -> "INTEGER";
                case "int8", "bigint", "bigserial" -> "BIGINT";
                case "float4", "real" -> "REAL";
                case "float8", "double precision", "double" -> "DOUBLE";
                case "bool", "boolean" -> "BOOLEAN";
                case "date" -> "DATE";
                case "timestamp", "datetime" -> "TIMESTAMP";
                case "timestamptz" -> "TIMESTAMPTZ";
                case "uuid" -> "UUID";
                case "bytea" -> "BLOB";
                case "numeric", "decimal" -> decimal(meta.getPrecision(i), meta.getScale(i));
                case "text", "varchar", "bpchar", "char", "name" -> "VARCHAR";
                default -> generic(meta.getColumnType(i), meta.getPrecision(i), meta.getScale(i));
              };
      return new Column(name, duckdb, duckdb.equals("BLOB"));
    }

    /** Unconstrained or wider-than-38 numerics become DOUBLE (DuckDB decimals hold 38 digits). */
    private static String decimal(int precision, int scale) {
      return precision > 0 && precision <= 38 && scale >= 0 && scale <= precision
          ? "DECIMAL(" + precision + "," + scale + ")"
          : "DOUBLE";
    }

    private static String generic(int sqlType, int precision, int scale) {
      return switch (sqlType) {
        case Types.TINYINT, Types.SMALLINT -> "SMALLINT";
        case Types.INTEGER -> "INTEGER";
        case Types.BIGINT -> "BIGINT";
        case Types.REAL -> "REAL";
        case Types.FLOAT, Types.DOUBLE -> "DOUBLE";
        case Types.NUMERIC, Types.DECIMAL -> decimal(precision, scale);
        case Types.BOOLEAN, Types.BIT -> "BOOLEAN";
        case Types.DATE -> "DATE";
        case Types.TIMESTAMP -> "TIMESTAMP";
        case Types.TIMESTAMP_WITH_TIMEZONE -> "TIMESTAMPTZ";
        case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> "BLOB";
        default -> "VARCHAR";
      };
    }
  }
}
