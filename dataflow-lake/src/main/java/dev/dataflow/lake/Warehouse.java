package dev.dataflow.lake;

import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Where tables' data files live, and how the SQL engine reaches them on local disk. DuckDB reads
 * and writes local files only: a local warehouse is read in place, an S3 one through a cache of its
 * immutable data files, and new files are written locally first and then published.
 *
 * <p>Thread-safe. A location is what Iceberg's metadata records; a local path is what DuckDB opens.
 */
public interface Warehouse extends AutoCloseable {
  /** One batch of new files: the local directory DuckDB writes them in, and their location. */
  record Batch(Path directory, String location) {}

  /** Files made local for as long as they are held: nothing evicts them before {@link #close}. */
  interface Held extends AutoCloseable {
    Held NOTHING = () -> {};

    @Override
    void close();
  }

  /** A new batch directory for a table's data files; its parent exists, it does not yet. */
  Batch newBatch(String tableLocation);

  /** Publishes files written under {@code batch}: their warehouse locations, in the same order. */
  List<String> publish(Batch batch, List<Path> written);

  /** The local path DuckDB opens for a data file, once {@linkplain #hold held}. */
  String localPath(String location);

  /** Makes data files local (all at once, in parallel) and keeps them until the result closes. */
  Held hold(Collection<String> locations);

  /** Deletes data files (published or not) from the warehouse and from local disk. */
  void delete(Collection<String> locations);

  /** The local directories DuckDB may read and write in for this warehouse. */
  List<Path> localRoots();

  @Override
  void close();

  /** A batch's name: when it was written, then a random part so that writers never collide. */
  static String batchName() {
    return LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-"
        + UUID.randomUUID();
  }
}
