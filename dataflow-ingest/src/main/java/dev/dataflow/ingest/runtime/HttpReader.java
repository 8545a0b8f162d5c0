package dev.dataflow.ingest.runtime;

import static java.util.Objects.requireNonNull;

import dev.dataflow.ingest.http.HttpIngest;
import dev.dataflow.ingest.http.HttpSpools;
import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.SqlService;
import java.nio.file.Path;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.Table;

/**
 * The http origin: the requests the server spooled ({@link HttpIngest}), in sequence order, in
 * batches of about {@code commit.max_rows} rows. The offset is the highest sequence committed; a
 * run starts after it, and a batch's files are released once the next call shows it committed.
 */
final class HttpReader implements OriginReader {
  static final String SEQUENCE = "dataflow.http.sequence";

  private final Lake lake;
  private final PipelineSpec spec;
  private final HttpIngest spool;
  private long position;

  /**
   * The last sequence of a batch that reached the error table or another destination but not the
   * first destination (the process died between the commits), or 0: the run's first batch ends
   * there, so it has the same id and those tables skip it rather than hold its rows twice.
   */
  private long inFlight;

  HttpReader(Lake lake, PipelineSpec spec, HttpIngest spool) {
    this.lake = requireNonNull(lake, "lake is null");
    this.spec = requireNonNull(spec, "spec is null");
    this.spool = requireNonNull(spool, "spool is null");
    this.position = committed(lake, spec);
    this.inFlight = inFlight(lake, spec, position);
    spool.committed(position);
  }

  private static long inFlight(Lake lake, PipelineSpec spec, long position) {
    List<dev.dataflow.api.DatasetPath> others = new java.util.ArrayList<>();
    others.add(spec.errors().table());
    spec.destinations().stream().skip(1).forEach(d -> others.add(d.table()));
    long last = 0;
    for (dev.dataflow.api.DatasetPath path : others) {
      Table table = lake.tableOrNull(path);
      String sequence = table == null ? null : Offsets.latest(table, spec.name(), SEQUENCE);
      last = sequence == null ? last : Math.max(last, Long.parseLong(sequence));
    }
    return last > position ? last : 0;
  }

  /**
   * The spools of a platform, under {@code <data>/ingest}, numbering on from each pipeline's
   * offset.
   */
  static HttpSpools spools(SqlService sql) {
    return new HttpSpools(
        sql.dataDirectory().resolve("ingest"), spec -> committed(sql.lake(), spec));
  }

  /** The sequence last committed to the pipeline's first destination, 0 if none. */
  static long committed(Lake lake, PipelineSpec spec) {
    Table table = lake.tableOrNull(spec.destinations().get(0).table());
    String sequence = table == null ? null : Offsets.latest(table, spec.name(), SEQUENCE);
    return sequence == null ? 0 : Long.parseLong(sequence);
  }

  @Override
  public List<Path> directories() {
    return List.of(spool.directory());
  }

  @Override
  public Pending next(Statement statement) throws SQLException {
    // the run asks for the next batch only once the previous one is committed
    spool.committed(position);
    List<HttpIngest.Spooled> files = spool.after(position, spec.commit().maxRows());
    if (inFlight > 0) {
      long end = inFlight;
      files = files.stream().filter(file -> file.sequence() <= end).toList();
      inFlight = 0;
    }
    if (files.isEmpty()) {
      return null;
    }
    Staging.clear(statement);
    long bytes = 0;
    for (int i = 0; i < files.size(); i++) {
      bytes += Staging.readJson(statement, files.get(i).file(), Staging.fileTable(i)).bytes();
    }
    Staging.input(statement, files.size(), 0);
    long first = files.get(0).sequence();
    position = files.get(files.size() - 1).sequence();
    return new Pending(
        "http-" + spec.name() + "-" + first + "-" + position,
        Map.of(SEQUENCE, Long.toString(position)),
        bytes,
        files.size());
  }

  @Override
  public void preview(Statement statement, int limit) throws SQLException {
    List<HttpIngest.Spooled> files = spool.after(position, limit);
    for (int i = 0; i < files.size(); i++) {
      Staging.readJson(statement, files.get(i).file(), Staging.fileTable(i));
    }
    Staging.input(statement, files.size(), limit);
  }

  /**
   * Releases what the run committed, whether or not it ended well: the offsets say what is done.
   */
  @Override
  public void close() {
    spool.committed(committed(lake, spec));
  }
}
