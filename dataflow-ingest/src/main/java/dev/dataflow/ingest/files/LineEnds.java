package dev.dataflow.ingest.files;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PushbackInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;

/**
 * CSV files whose records end in both LF and CRLF. DuckDB's strict scanner takes a file's line end
 * from its first CR or LF byte, quoted or not, and fails the whole file (not one line) at a record
 * ending in the other; with strict mode off it would also land lines with too many columns or text
 * after a closing quote, so that is no way out. Such a file is read from a copy whose records all
 * end in LF, scanned with {@code new_line} set: values keep their bytes, quoted CR LF included, and
 * every record keeps its line. Only a file the scanner has failed is copied, so files with one line
 * end are read once, as before.
 */
final class LineEnds {
  /** What DuckDB says of a file it cannot read at all, a record ending in the other line end. */
  private static final String INVALID_STATE = "state machine reached an invalid state";

  /** What a scan fails with whose rejects ran records of another line end together. */
  private static final String RAN_TOGETHER = "records with another line end ran together in ";

  /** The {@code new_line} option for a copy: LF, as DuckDB spells it. */
  static final String LF = "\\n";

  private LineEnds() {}

  /**
   * Whether {@code e}, or one of its causes, is the scanner failing a file as a whole, or {@link
   * #ranTogether}.
   */
  static boolean failedWhole(Throwable e) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      String message = cause.getMessage();
      if (message != null && (message.contains(INVALID_STATE) || message.contains(RAN_TOGETHER))) {
        return true;
      }
    }
    return false;
  }

  /**
   * The failure of a scan that did not fail but whose rejects ran records together ({@link
   * Rejects#ranTogether}): its records are no more usable than those of a scan that failed.
   */
  static SQLException ranTogether(String files) {
    return new SQLException(RAN_TOGETHER + files);
  }

  /** A copy of {@code file} whose records all end in LF, deleted when {@code sql} closes. */
  static Path copy(SqlSession sql, Path file, CsvOptions csv) throws SQLException {
    Path copy = sql.scratchFile("lines");
    try (InputStream in = Files.newInputStream(file);
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(copy), 1 << 16)) {
      new Copier(csv).copy(new PushbackInputStream(new BufferedInputStream(in, 1 << 16), 4), out);
    } catch (IOException e) {
      throw new SQLException("cannot copy " + file + " with one line end: " + e.getMessage(), e);
    }
    return copy;
  }

  /**
   * Follows quoting as DuckDB's scanner does: a quote opens a quoted value only at a value's start;
   * inside, the escape takes the next byte as it is and the quote closes the value, or, doubled
   * (the escape being the quote), stands for itself. Outside quotes a CR LF becomes LF; every other
   * byte is copied.
   */
  private static final class Copier {
    private enum State {
      VALUE_START,
      UNQUOTED,
      QUOTED,
      CLOSED
    }

    private final byte[] delimiter;
    private final int quote;
    private final int escape;
    private State state = State.VALUE_START;

    Copier(CsvOptions csv) {
      this.delimiter = csv.delimiter().getBytes(UTF_8);
      this.quote = singleByte(csv.quote());
      this.escape = singleByte(csv.escape());
    }

    /** The character's byte; -1 for none (no quoting), or one that takes more than a byte. */
    private static int singleByte(String character) {
      byte[] bytes = character.getBytes(UTF_8);
      return bytes.length == 1 ? bytes[0] & 0xFF : -1;
    }

    void copy(PushbackInputStream in, OutputStream out) throws IOException {
      int b;
      while ((b = in.read()) != -1) {
        if (state == State.QUOTED) {
          quoted(in, out, b);
        } else {
          unquoted(in, out, b);
        }
      }
    }

    private void quoted(PushbackInputStream in, OutputStream out, int b) throws IOException {
      out.write(b);
      if (b == escape && escape != quote) {
        int next = in.read();
        if (next != -1) {
          out.write(next);
        }
      } else if (b == quote) {
        state = State.CLOSED;
      }
    }

    private void unquoted(PushbackInputStream in, OutputStream out, int b) throws IOException {
      if (b == '\r') {
        int next = in.read();
        if (next == '\n') {
          out.write('\n');
          state = State.VALUE_START;
          return;
        }
        if (next != -1) {
          in.unread(next);
        }
      }
      boolean opens =
          b == quote && (state == State.VALUE_START || (state == State.CLOSED && escape == quote));
      if (opens) {
        out.write(b);
        state = State.QUOTED;
      } else if (b == '\n') {
        out.write(b);
        state = State.VALUE_START;
      } else if (delimiter(in, b)) {
        out.write(delimiter);
        state = State.VALUE_START;
      } else {
        out.write(b);
        state = State.UNQUOTED;
      }
    }

    /** Whether {@code b} starts the delimiter; if so its other bytes are read. */
    private boolean delimiter(PushbackInputStream in, int b) throws IOException {
      if (b != (delimiter[0] & 0xFF)) {
        return false;
      }
      byte[] rest = new byte[delimiter.length - 1];
      int read = in.readNBytes(rest, 0, rest.length);
      for (int i = 0; i < rest.length; i++) {
        if (i >= read || rest[i] != delimiter[i + 1]) {
          in.unread(rest, 0, read);
          return false;
        }
      }
      return true;
    }
  }
}
