package dev.dataflow.ingest.jdbc;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.sql.Engine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;
import org.duckdb.DuckDBConnection;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

/**
 * One open read of a query, consumed a batch at a time: PostgreSQL's {@code COPY (query) TO STDOUT}
 * in its text format, spooled to files ahead of the batches ({@link CopySpool}) that DuckDB's CSV
 * reader inserts into {@code input}; or, for any other database, a streamed JDBC fetch appended as
 * text to staging table {@link #staging}. Between batches the stream stays open (one row read
 * ahead, so the batch that reads the last row knows it is the last). Owns its connection. Not
 * thread-safe; the streams of a split are read in parallel, each by one thread.
 */
final class SourceStream implements AutoCloseable {
  /** The size at which a spool file is closed and loaded (a file always ends at a row's end). */
  static final long CHUNK_BYTES = 16L << 20;

  private static final int FETCH_SIZE = 10_000;

  /**
   * A text value ({@code $}) of PostgreSQL's text format unescaped: it writes a backslash as two,
   * and backspace, form feed, newline, carriage return, tab and vertical tab as a backslash and a
   * letter. An escaped backslash is set aside as NUL first (no text value holds one), so that
   * {@code \\n} stays a backslash and an n. Values without a backslash are taken as they are.
   */
  private static final String UNESCAPED =
      "CASE WHEN contains($, '\\') THEN "
          + "replace(replace(replace(replace(replace(replace(replace(replace($, '\\\\', chr(0)), "
          + "'\\b', chr(8)), '\\f', chr(12)), '\\n', chr(10)), '\\r', chr(13)), "
          + "'\\t', chr(9)), '\\v', chr(11)), chr(0), '\\') ELSE $ END";

  private static final String STAGING = "__df_jdbc_s";

  private final Connection source;
  private final List<Column> columns;
  private final int index;
  private final AtomicLong bytes;
  private final CopyOut copy;
  private final Path spool;
  private final Statement statement;
  private final ResultSet result;
  private CopySpool spooler;
  private boolean heldRow;
  private boolean ended;

  private SourceStream(
      Connection source,
      List<Column> columns,
      int index,
      AtomicLong bytes,
      CopyOut copy,
      Path spool,
      Statement statement,
      ResultSet result) {
    this.source = source;
    this.columns = columns;
    this.index = index;
    this.bytes = bytes;
    this.copy = copy;
    this.spool = spool;
    this.statement = statement;
    this.result = result;
  }

  /**
   * Starts {@code COPY relation TO STDOUT} on a PostgreSQL connection, spooled under {@code spool};
   * {@code relation} is a table's name or a parenthesized query.
   */
  static SourceStream copy(
      Connection source,
      String relation,
      List<Column> columns,
      int index,
      AtomicLong bytes,
      Path spool)
      throws SQLException {
    try (Statement settings = source.createStatement()) {
      // PostgreSQL's text output in forms DuckDB's casts read
      settings.execute("SET TimeZone = 'UTC'");
      settings.execute("SET DateStyle = 'ISO, YMD'");
      settings.execute("SET bytea_output = 'hex'");
      settings.execute("SET extra_float_digits = 3");
    }
    CopyOut copy =
        source
            .unwrap(PGConnection.class)
            .getCopyAPI()
            // the text format, not CSV: PostgreSQL writes CSV at two thirds of the rate (TPC-H
            // lineitem, SF 1: 10.5 s against 7.0 s), checking every value for quoting
            .copyOut("COPY " + relation + " TO STDOUT");
    return new SourceStream(source, columns, index, bytes, copy, spool, null, null);
  }

  /** Starts a streamed fetch of {@code query} on any other database. */
  static SourceStream fetch(
      Connection source,
      String query,
      List<Column> columns,
      int index,
      AtomicLong bytes,
      boolean mysql)
      throws SQLException {
    if (mysql) {
      // TIMESTAMP columns are shown in the session's zone: read them as UTC, as PostgreSQL's are
      try (Statement settings = source.createStatement()) {
        settings.execute("SET time_zone = '+00:00'");
      }
    }
    Statement statement = source.createStatement();
    try {
      return new SourceStream(
          source, columns, index, bytes, null, null, statement, streamed(source, statement, query));
    } catch (SQLException e) {
      statement.close();
      throw e;
    }
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

  /** Whether the last row was read. */
  boolean ended() {
    return ended;
  }

  /**
   * Reads about {@code limit} more rows (at most that many for a fetch), through {@code duck}: COPY
   * rows into {@code input} (which must exist with the mapped types), fetched rows into this
   * stream's staging table (which must exist, see {@link #createStaging}). Returns how many.
   */
  long read(DuckDBConnection duck, long limit) throws SQLException {
    return copy != null ? readCopy(duck, limit, null) : readFetch(duck, limit);
  }

  /**
   * Reads about {@code limit} more COPY rows into spool files that it adds to {@code files} instead
   * of loading them, for {@link #createInputView}; the caller deletes them. Returns how many rows
   * they hold.
   */
  long spool(long limit, Spooled files) throws SQLException {
    return readCopy(null, limit, files);
  }

  /**
   * The spool files a batch's {@code input} is a view over, from all its streams, and whether any
   * of them has an escaped value ({@link CopySpool#escapes}).
   */
  static final class Spooled {
    private final List<Path> files = new ArrayList<>();
    private boolean escapes;

    synchronized void add(Path file, boolean escaped) {
      files.add(file);
      escapes = escapes || escaped;
    }

    synchronized List<Path> files() {
      return List.copyOf(files);
    }

    synchronized boolean escapes() {
      return escapes;
    }
  }

  private long readFetch(DuckDBConnection duck, long limit) throws SQLException {
    long rows = 0;
    try (DuckDBAppender appender = duck.createAppender(STAGING + index)) {
      while (rows < limit) {
        if (heldRow) {
          heldRow = false;
        } else if (!result.next()) {
          ended = true;
          break;
        }
        append(appender);
        rows++;
      }
    }
    if (!ended) {
      heldRow = result.next();
      ended = !heldRow;
    }
    return rows;
  }

  private void append(DuckDBAppender appender) throws SQLException {
    appender.beginRow();
    for (int i = 1; i <= columns.size(); i++) {
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
  }

  /**
   * Loads spool files of about {@code limit} more COPY rows into {@code input}, each deleted once
   * loaded, or adds them to {@code keep} when not null; a batch ends at the first file that reaches
   * {@code limit} (no file holds more), as a batch of source files does. The export runs ahead in
   * its own thread ({@link CopySpool}); a batch waits for a quarter of its rows, then takes only
   * the files already spooled, so the write starts early (at the start of a load it would otherwise
   * wait for a whole batch, which on two cores leaves one idle for a second per million rows) and
   * batches grow to {@code limit} whenever the write is the slower side.
   */
  private long readCopy(DuckDBConnection duck, long limit, Spooled keep) throws SQLException {
    if (spooler == null) {
      spooler = new CopySpool(source.unwrap(PGConnection.class), copy, spool, "s" + index, limit);
    }
    long wanted = Math.max(1, limit / 4);
    long rows = 0;
    while (rows < limit && !ended) {
      CopySpool.Chunk chunk = spooler.peek(rows < wanted);
      if (chunk == null) {
        break;
      }
      spooler.take();
      if (chunk.file() != null && keep != null) {
        keep.add(chunk.file(), chunk.escapes());
      } else if (chunk.file() != null) {
        try (Statement duckdb = duck.createStatement()) {
          duckdb.execute(
              "INSERT INTO input "
                  + selectSpooled(
                      columns, Engine.literal(chunk.file().toString()), chunk.escapes()));
        } finally {
          deleteQuietly(chunk.file());
        }
      }
      bytes.addAndGet(chunk.bytes());
      rows += chunk.rows();
      ended = chunk.streamEnd();
    }
    return rows;
  }

  /**
   * The rows of spool files ({@code files}: a quoted path or a list of them) with the mapped
   * columns: PostgreSQL's text format, tab-separated, NULL as {@code \N}, each column parsed as its
   * type; text columns are unescaped ({@link #UNESCAPED}) when a file has an escaped value.
   */
  private static String selectSpooled(List<Column> columns, String files, boolean escapes) {
    List<String> names = new ArrayList<>();
    List<String> casts = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      Column column = columns.get(i);
      boolean unescaped = escapes && "VARCHAR".equals(column.duckdbType());
      // the scanner parses each column as its type; bytea arrives as \\x hex (its backslash
      // escaped) and text with escapes
      names.add("'c" + i + "': '" + (column.binary() ? "VARCHAR" : column.duckdbType()) + "'");
      String value = "c" + i;
      casts.add(
          (column.binary()
                  ? "from_hex(substr(" + value + ", 4))"
                  : unescaped ? UNESCAPED.replace("$", value) : value)
              + " AS "
              + Engine.identifier(column.name()));
    }
    return "SELECT "
        + String.join(", ", casts)
        + " FROM read_csv("
        + files
        + ", columns = {"
        + String.join(", ", names)
        + "}, header = false, delim = '\t', quote = '', escape = '', nullstr = '\\N', "
        + "auto_detect = false, strict_mode = true)";
  }

  /**
   * {@code input} as a view over spool files rather than a copy of them, when a batch's input is
   * read once (by the write, which then parses, casts and encodes in one pass); with no file, an
   * empty table of the mapped types.
   */
  static void createInputView(Statement duckdb, List<Column> columns, Spooled spooled)
      throws SQLException {
    List<Path> files = spooled.files();
    if (files.isEmpty()) {
      createTypedInput(duckdb, columns);
      return;
    }
    String list =
        "["
            + files.stream()
                .map(file -> Engine.literal(file.toString()))
                .collect(Collectors.joining(", "))
            + "]";
    dropInput(duckdb);
    duckdb.execute("CREATE VIEW input AS " + selectSpooled(columns, list, spooled.escapes()));
  }

  /** Drops {@code input}, a table or a view (DuckDB refuses to drop one as the other). */
  private static void dropInput(Statement duckdb) throws SQLException {
    String type;
    try (ResultSet result =
        duckdb.executeQuery(
            "SELECT table_type FROM information_schema.tables"
                + " WHERE table_schema = current_schema() AND table_name = 'input'")) {
      type = result.next() ? result.getString(1) : null;
    }
    if (type != null) {
      duckdb.execute(("VIEW".equals(type) ? "DROP VIEW" : "DROP TABLE") + " input");
    }
  }

  /** An empty {@code input} with the mapped types, which COPY rows are inserted into. */
  static void createTypedInput(Statement duckdb, List<Column> columns) throws SQLException {
    dropInput(duckdb);
    List<String> defs = new ArrayList<>();
    for (Column column : columns) {
      defs.add(Engine.identifier(column.name()) + " " + column.duckdbType());
    }
    duckdb.execute("CREATE OR REPLACE TABLE input (" + String.join(", ", defs) + ")");
  }

  /** The empty staging table of text columns of fetch stream {@code index}. */
  static void createStaging(Statement duckdb, List<Column> columns, int index) throws SQLException {
    List<String> defs = new ArrayList<>();
    for (int i = 0; i < columns.size(); i++) {
      defs.add("c" + i + " VARCHAR");
    }
    duckdb.execute(
        "CREATE OR REPLACE TABLE " + STAGING + index + " (" + String.join(", ", defs) + ")");
  }

  /**
   * {@code input} from the staging tables of fetch streams 0 to {@code stagings - 1}, each text
   * column cast to its mapped type; the staging tables are dropped.
   */
  static void createInput(Statement duckdb, List<Column> columns, int stagings)
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

  /** Threads that never keep the process alive (a read in flight is abandoned with it). */
  static ThreadFactory daemon(String name) {
    return DaemonThreads.named(name);
  }

  /** Waits for a task; its failure is rethrown as it was (an SQL error stays one). */
  static void await(Future<?> task) throws SQLException {
    if (task == null) {
      return;
    }
    try {
      task.get();
    } catch (ExecutionException e) {
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
      throw new DataflowException(ErrorCode.CANCELLED, "read interrupted");
    }
  }

  /** Ends the read (a COPY still running is cancelled) and closes the connection. */
  @Override
  public void close() {
    if (spooler != null) {
      spooler.close();
    }
    try {
      if (copy != null && copy.isActive()) {
        copy.cancelCopy();
      }
      if (statement != null) {
        statement.close();
      }
    } catch (SQLException ignored) {
      // the connection is closed next; nothing more to release
    } finally {
      try {
        source.close();
      } catch (SQLException ignored) {
        // closing after the read; the read's own outcome is what matters
      }
    }
  }

  /** Deletes a spool file; one left behind goes with the reader's spool directory. */
  static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // the reader deletes its whole spool directory when it closes
    }
  }
}
