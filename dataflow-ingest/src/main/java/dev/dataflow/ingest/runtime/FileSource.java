package dev.dataflow.ingest.runtime;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the files of a files origin are: a local directory ({@link LocalFiles}) or an S3 prefix
 * ({@link S3Files}). Files are named by their path relative to the location, as the offsets keep
 * them. Called from one thread.
 */
interface FileSource extends AutoCloseable {
  /** Every file under the location, by relative name, in no particular order. */
  List<String> list();

  /**
   * A local copy of a file, to read before {@link #release}.
   *
   * @throws dev.dataflow.api.DataflowException NOT_FOUND when the file is gone
   */
  Path fetch(String name);

  /** Done with what {@link #fetch} returned. */
  void release(Path local);

  /** How a file is named in provenance and error records. */
  String uri(String name);

  /** The local directory DuckDB reads the fetched files from. */
  Path directory();

  @Override
  void close();
}
