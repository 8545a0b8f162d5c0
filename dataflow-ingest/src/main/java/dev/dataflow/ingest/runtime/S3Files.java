package dev.dataflow.ingest.runtime;

import dev.dataflow.ingest.spec.PipelineSpec;
import dev.dataflow.lake.SpoolDirectory;
import dev.dataflow.lake.s3.S3Location;
import dev.dataflow.lake.s3.S3Settings;
import dev.dataflow.lake.s3.S3Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The objects under an S3 prefix. DuckDB here cannot read S3 itself (no httpfs, and no extension
 * may be downloaded), so each object is downloaded into this reader's own spool directory, read
 * there and deleted at once: the spool holds one object at a time, and is removed on close.
 */
final class S3Files implements FileSource {
  private final S3Location location;
  private final S3Storage storage;
  private final Path spool;
  private long fetched;

  S3Files(String pipeline, URI uri, PipelineSpec.S3Options options, Path spools) {
    this.location = S3Location.parse(uri);
    this.storage = S3Storage.open(settings(pipeline, options));
    try {
      this.spool = SpoolDirectory.create(spools, "s3");
    } catch (RuntimeException e) {
      storage.close();
      throw e;
    }
  }

  private static S3Settings settings(String pipeline, PipelineSpec.S3Options options) {
    if (options == null) {
      return new S3Settings(null, "us-east-1", null, null);
    }
    String what = "Pipeline " + pipeline + ": origin.s3.";
    return new S3Settings(
        options.endpoint() == null ? null : URI.create(options.endpoint()),
        options.region(),
        options.accessKeyId() == null
            ? null
            : options.accessKeyId().resolve(what + "access_key_id"),
        options.secretAccessKey() == null
            ? null
            : options.secretAccessKey().resolve(what + "secret_access_key"));
  }

  @Override
  public List<String> list() {
    return storage.list(location).stream().map(S3Storage.Entry::relativeKey).toList();
  }

  @Override
  public Path fetch(String name) {
    // the file name is kept: DuckDB infers compression (.gz, .zst) from it
    Path local = spool.resolve(fetched++ + "-" + Path.of(name).getFileName());
    storage.download(location, name, local);
    return local;
  }

  @Override
  public void release(Path local) {
    try {
      Files.deleteIfExists(local);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot delete the spool file " + local, e);
    }
  }

  @Override
  public String uri(String name) {
    return location.uri(name);
  }

  @Override
  public Path directory() {
    return spool;
  }

  @Override
  public void close() {
    storage.close();
    SpoolDirectory.delete(spool);
  }
}
