package dev.dataflow.ingest.jdbc;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.ingest.runtime.OriginReader;
import dev.dataflow.ingest.runtime.OriginReader.Retract;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.ingest.spec.PipelineSpec.JdbcOrigin;
import dev.dataflow.lake.SpoolDirectory;
import dev.dataflow.sql.Engine;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
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
import org.duckdb.DuckDBConnection;

/**
 * The jdbc origin: a table or query of a database, read into the run's DuckDB table {@code input}.
 *
 * <p>PostgreSQL is read through its bulk path, {@code COPY … TO STDOUT} in its text format ({@link
 * org.postgresql.copy.CopyManager}; a table read whole by its name, anything else as a query): the
 * rows' bytes are written as they arrive, unparsed, by a thread per stream into spool files of
 * about {@value SourceStream#CHUNK_BYTES} bytes in the reader's own directory under the data
 * directory, ahead of the batches (see {@link CopySpool}), and each batch loads its files with
 * DuckDB's (parallel) CSV reader, tab-separated, into {@code input}, its text columns cast to the
 * types mapped from the source's column types; a loaded file is deleted at once. Memory stays
 * bounded (Java holds a row and a write buffer) and so does the spool ({@value CopySpool#AHEAD}
 * files per stream). Every other database is read through a streamed JDBC fetch ({@code
 * setFetchSize}), each row through a DuckDB appender into a staging table of text columns, then
 * cast the same way.
 *
 * <p><b>Full load</b> (no {@code cursor}): the table or query is read by streams kept open from the
 * run's first batch to its last, {@code commit.max_rows} rows per batch, so each batch commits on
 * its own; the next run reads it all again (use {@code mode: overwrite}: the run's first batch
 * replaces the table, the others append). Each commit records the load's number and the batch's
 * place in it ({@value #LOAD}, {@value #LOAD_BATCH}, and {@value #LOAD_DONE} on the last), so a
 * load cut short is retried under the same number. A retry starts the load over, since a source
 * read again need not return its rows in the same order (nor the same rows): its first batch
 * retracts the load's earlier commits, so in its commit every append table (the error table too)
 * drops what the interrupted attempt appended, and no row is lost or repeated. With {@code split:
 * {column, parallelism}} the integral column's [min, max] range is cut into {@code parallelism}
 * even slices, each read by its own connection and stream, in parallel, a share of each batch each;
 * on PostgreSQL every slice reads the same exported snapshot, so the slices are consistent with
 * each other. Rows whose split column is NULL go to the first slice.
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

  /** The number of the full load a batch belongs to, and the batch's place in it. */
  public static final String LOAD = "dataflow.load";

  public static final String LOAD_BATCH = "dataflow.load.batch";

  /** Set on the last batch of a full load, to its number. */
  static final String LOAD_DONE = "dataflow.load.done";

  private final PipelineSpec spec;
  private final JdbcOrigin origin;
  private final Function<String, String> committed;
  private final boolean postgres;

  /** MySQL or MariaDB: read with MariaDB Connector/J, identifiers quoted with backticks. */
  private final boolean mysql;

  private String last;
  private boolean fullDone;
  private final long load;
  private int loadBatch;

  /** This run's attempt at its full load, in the load's batch ids. */
  private final String attempt = UUID.randomUUID().toString();

  /** The open streams of the full load, from its first batch to its last. */
  private List<SourceStream> full;

  /** The source's columns, read once. */
  private List<Column> columns;

  private final AtomicLong bytes = new AtomicLong();

  /** The directory of this reader's spool files (PostgreSQL only), deleted by {@link #close}. */
  private final Path spool;

  /**
   * Whether a full load's {@code input} is a view over its spool files ({@link
   * PipelineSpec#readsInputOnce}): the write then parses, casts and encodes them in one pass, as
   * DuckDB's own CSV to Parquet copy does, instead of copying them into a table first.
   */
  private final boolean direct;

  /** The spool files the current batch's {@code input} is a view over. */
  private List<Path> viewed = List.of();

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
    this.load = origin.cursor() == null ? loadNumber() : 0;
    this.direct = postgres && spec.readsInputOnce();
    if (origin.split() != null
        && origin.split().column() == null
        && (!postgres || origin.table() == null)) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          "Pipeline "
              + spec.name()
              + ": a split without a column reads a PostgreSQL table by ranges of its pages;"
              + " for a query or another database, name an integer column (split.column)");
    }
  }

  /** Reads the next batch into {@code input}, or returns null when nothing is pending. */
  @Override
  public Pending next(Statement duckdb) throws SQLException {
    if (origin.cursor() == null) {
      return nextFull(duckdb);
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
    closeFull();
    deleteViewed();
    if (spool != null) {
      SpoolDirectory.delete(spool);
    }
  }

  /** The rows of the origin: its table or its query. */
  private String base() {
    return origin.table() != null ? "SELECT * FROM " + origin.table() : origin.query();
  }

  /**
   * What a PostgreSQL COPY of {@code query} reads: an ordinary table read whole by its name, since
   * COPY's table form scans without the executor (TPC-H lineitem exports 4 % faster); anything else
   * as a parenthesized query: a view or a partitioned table (which the table form refuses), a table
   * with generated columns or with inheriting tables (whose columns or rows it leaves out), a
   * query, a slice.
   */
  private String copySource(Connection source, String query) throws SQLException {
    // attgenerated is there from PostgreSQL 12 on
    if (origin.table() != null
        && query.equals(base())
        && source.getMetaData().getDatabaseMajorVersion() >= 12) {
      try (Statement statement = source.createStatement();
          ResultSet result =
              statement.executeQuery(
                  "SELECT c.relkind = 'r' AND NOT EXISTS (SELECT FROM pg_attribute a"
                      + " WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped"
                      + " AND a.attgenerated <> '')"
                      + " AND NOT EXISTS (SELECT FROM pg_inherits i WHERE i.inhparent = c.oid)"
                      + " FROM pg_class c WHERE c.oid = to_regclass("
                      + literal(origin.table())
                      + ")")) {
        if (result.next() && result.getBoolean(1)) {
          return origin.table();
        }
      }
    }
    return "(" + query + ")";
  }

  /** Reads all of {@code query} into {@code input} over one stream; returns the rows read. */
  private long load(Statement duckdb, String query) throws SQLException {
    List<SourceStream> streams = open(List.of(query), null);
    try {
      return read(duckdb, streams, Long.MAX_VALUE);
    } finally {
      streams.forEach(SourceStream::close);
    }
  }

  /**
   * The next batch of a full load: up to {@code commit.max_rows} rows of its open streams (opened
   * at the first batch, in parallel slices with {@code split}). Its id names the load, this attempt
   * at it and the batch's place in it; the first batch retracts whatever an earlier attempt at the
   * same load committed.
   */
  private Pending nextFull(Statement duckdb) throws SQLException {
    if (fullDone) {
      return null;
    }
    if (full == null) {
      full = origin.split() != null ? openSplit() : open(List.of(base()), null);
    }
    long rows;
    long start = System.nanoTime();
    try {
      rows =
          direct
              ? readAsView(duckdb, full, spec.commit().maxRows())
              : read(duckdb, full, spec.commit().maxRows());
    } catch (SQLException | RuntimeException e) {
      closeFull();
      throw e;
    }
    // the benchmark reads this line to split a load's time into reading and the rest
    LOG.info(
        "Pipeline {}: read {} rows ({} bytes) from {} in {} ms",
        spec.name(),
        rows,
        bytes.get(),
        location(),
        (System.nanoTime() - start) / 1_000_000);
    boolean ended = full.stream().allMatch(SourceStream::ended);
    if (ended) {
      closeFull();
    }
    if (rows == 0) {
      return null;
    }
    Map<String, String> offsets = new HashMap<>();
    offsets.put(LOAD, Long.toString(load));
    offsets.put(LOAD_BATCH, Integer.toString(loadBatch));
    if (ended) {
      offsets.put(LOAD_DONE, Long.toString(load));
    }
    // the attempt's own ids: a retried load commits its batches afresh (see retracts)
    String id = batchId("full\u0000" + load + "\u0000" + attempt + "\u0000" + loadBatch);
    Retract retracts = loadBatch++ == 0 ? new Retract(LOAD, Long.toString(load)) : null;
    return new Pending(id, offsets, bytes.get(), 1, retracts, rows);
  }

  private void closeFull() {
    fullDone = true;
    if (full != null) {
      full.forEach(SourceStream::close);
      full = null;
    }
  }

  /**
   * The number of this run's full load: the last committed load's again when it did not finish (the
   * run that read it stopped or crashed), else the next.
   */
  private long loadNumber() {
    String last = committed.apply(LOAD);
    if (last == null) {
      return 1;
    }
    return last.equals(committed.apply(LOAD_DONE))
        ? Long.parseLong(last) + 1
        : Long.parseLong(last);
  }

  /**
   * Opens one stream per query, each on its own connection; on PostgreSQL with a {@code snapshot},
   * each reads that exported snapshot, so the slices agree with each other.
   */
  private List<SourceStream> open(List<String> queries, String snapshot) throws SQLException {
    List<SourceStream> streams = new ArrayList<>();
    try {
      for (int i = 0; i < queries.size(); i++) {
        Connection source = connect();
        try {
          if (columns == null) {
            columns = columns(source, base());
          }
          if (snapshot != null) {
            source.setAutoCommit(false);
            source.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            try (Statement statement = source.createStatement()) {
              statement.execute("SET TRANSACTION SNAPSHOT " + literal(snapshot));
            }
          }
          streams.add(
              postgres
                  ? SourceStream.copy(
                      source, copySource(source, queries.get(i)), columns, i, bytes, spool)
                  : SourceStream.fetch(source, queries.get(i), columns, i, bytes, mysql));
        } catch (SQLException | RuntimeException e) {
          closeQuietly(source);
          throw e;
        }
      }
      return streams;
    } catch (SQLException e) {
      streams.forEach(SourceStream::close);
      throw failed(e);
    }
  }

  /**
   * The streams of a full load in parallel slices: of the split column's range, or of a PostgreSQL
   * table's pages when no column is named.
   */
  private List<SourceStream> openSplit() throws SQLException {
    try (Connection coordinator = connect()) {
      String snapshot = null;
      if (postgres) {
        // the snapshot stays valid while this transaction is open: until every slice started
        coordinator.setAutoCommit(false);
        coordinator.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
        try (Statement statement = coordinator.createStatement();
            ResultSet result = statement.executeQuery("SELECT pg_export_snapshot()")) {
          result.next();
          snapshot = result.getString(1);
        }
      }
      return open(
          origin.split().column() == null
              ? pageSlices(coordinator)
              : slices(coordinator, quote(origin.split().column())),
          snapshot);
    } catch (SQLException e) {
      throw failed(e);
    }
  }

  /**
   * A PostgreSQL table's pages cut into even ranges, each read by a TID range scan (PostgreSQL 14
   * and later), so every slice reads only its own pages: a key range with no index on the key makes
   * each slice scan the whole table, which on a bulk load costs PostgreSQL as much CPU again per
   * slice. The last range is open, for pages the table gained since its size was read.
   */
  private List<String> pageSlices(Connection coordinator) throws SQLException {
    long pages;
    try (Statement statement = coordinator.createStatement();
        ResultSet result =
            statement.executeQuery(
                "SELECT pg_relation_size("
                    + literal(origin.table())
                    + "::regclass) / current_setting('block_size')::bigint")) {
      result.next();
      pages = result.getLong(1);
    }
    int parallelism = (int) Math.max(1, Math.min(origin.split().parallelism(), pages));
    long step = ceilDiv(pages, parallelism);
    List<String> slices = new ArrayList<>();
    for (int i = 0; i < parallelism; i++) {
      String range = "ctid >= '(" + i * step + ",0)'::tid";
      if (i < parallelism - 1) {
        range += " AND ctid < '(" + (i + 1) * step + ",0)'::tid";
      }
      slices.add("SELECT * FROM " + origin.table() + " WHERE " + range);
    }
    return slices;
  }

  /** The split column's [min, max] cut into even slices; NULL keys go to the first. */
  private List<String> slices(Connection coordinator, String column) throws SQLException {
    int parallelism = Math.max(1, origin.split().parallelism());
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
    long step = ceilDiv(span, parallelism);
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
    return slices;
  }

  /**
   * Reads up to {@code limit} rows from the streams that have not ended, shared evenly and read in
   * parallel, into a new {@code input}; returns how many.
   */
  private long read(Statement duckdb, List<SourceStream> streams, long limit) throws SQLException {
    bytes.set(0);
    if (postgres) {
      SourceStream.createTypedInput(duckdb, columns);
    } else {
      for (int i = 0; i < streams.size(); i++) {
        SourceStream.createStaging(duckdb, columns, i);
      }
    }
    long rows = readStreams(duckdb, streams, limit, SourceStream::read);
    if (!postgres) {
      SourceStream.createInput(duckdb, columns, streams.size());
    }
    return rows;
  }

  /**
   * Like {@link #read}, but {@code input} becomes a view over the COPY streams' spool files, which
   * stay until the next batch (it is committed by then) or the end of the run.
   */
  private long readAsView(Statement duckdb, List<SourceStream> streams, long limit)
      throws SQLException {
    bytes.set(0);
    deleteViewed();
    SourceStream.Spooled files = new SourceStream.Spooled();
    long rows =
        readStreams(duckdb, streams, limit, (stream, own, share) -> stream.spool(share, files));
    viewed = files.files();
    SourceStream.createInputView(duckdb, columns, files);
    return rows;
  }

  private void deleteViewed() {
    viewed.forEach(SourceStream::deleteQuietly);
    viewed = List.of();
  }

  /** How a batch reads its share of one stream, through a DuckDB connection of its own. */
  private interface StreamRead {
    long read(SourceStream stream, DuckDBConnection own, long share) throws SQLException;
  }

  /**
   * Reads about {@code limit} rows from the streams that have not ended, shared evenly and read in
   * parallel; returns how many.
   */
  private long readStreams(Statement duckdb, List<SourceStream> streams, long limit, StreamRead how)
      throws SQLException {
    List<SourceStream> open = streams.stream().filter(s -> !s.ended()).toList();
    int ways = Math.max(1, open.size());
    long share = ceilDiv(limit, ways);
    AtomicLong rows = new AtomicLong();
    DuckDBConnection duck = (DuckDBConnection) duckdb.getConnection();
    try {
      if (open.size() == 1) {
        try (DuckDBConnection own = (DuckDBConnection) duck.duplicate()) {
          rows.addAndGet(how.read(open.get(0), own, share));
        }
      } else if (!open.isEmpty()) {
        readParallel(open, duck, share, rows, how);
      }
    } catch (SQLException e) {
      throw failed(e);
    }
    return rows.get();
  }

  private void readParallel(
      List<SourceStream> open, DuckDBConnection duck, long share, AtomicLong rows, StreamRead how)
      throws SQLException {
    ExecutorService pool =
        Executors.newFixedThreadPool(
            open.size(), SourceStream.daemon("dataflow-jdbc-" + spec.name()));
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (SourceStream stream : open) {
        futures.add(
            pool.submit(
                () -> {
                  try (DuckDBConnection own = (DuckDBConnection) duck.duplicate()) {
                    rows.addAndGet(how.read(stream, own, share));
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        SourceStream.await(future);
      }
    } finally {
      pool.shutdownNow();
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

  /** {@code a / b} rounded up, for positive values (without the overflow of {@code a + b - 1}). */
  private static long ceilDiv(long a, long b) {
    return a / b + (a % b == 0 ? 0 : 1);
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
}
