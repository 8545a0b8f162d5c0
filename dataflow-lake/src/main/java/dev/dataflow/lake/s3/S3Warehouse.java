package dev.dataflow.lake.s3;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.DataFileCache;
import dev.dataflow.lake.SpoolDirectory;
import dev.dataflow.lake.Warehouse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.iceberg.io.FileIO;

/**
 * A warehouse in an S3 store. DuckDB here cannot reach S3 (no extension can be installed), so new
 * files are written to a local staging directory, uploaded through Iceberg's {@code S3FileIO} and
 * then kept in the {@link DataFileCache}, through which every read goes.
 */
public final class S3Warehouse implements Warehouse {
  private final FileIO io;
  private final DataFileCache cache;
  private final Path staging;
  private final ExecutorService uploads;

  public S3Warehouse(FileIO io, DataFileCache cache, Path staging, int parallelism) {
    this.io = io;
    this.cache = cache;
    this.staging = staging;
    this.uploads =
        Executors.newFixedThreadPool(parallelism, DaemonThreads.named("data-file-upload"));
  }

  public DataFileCache cache() {
    return cache;
  }

  @Override
  public Batch newBatch(String tableLocation) {
    String name = Warehouse.batchName();
    try {
      Files.createDirectories(staging);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create " + staging, e);
    }
    return new Batch(staging.resolve(name), tableLocation + "/data/" + name);
  }

  @Override
  public List<String> publish(Batch batch, List<Path> written) {
    List<CompletableFuture<String>> uploaded = new ArrayList<>();
    for (Path file : written) {
      String relative = batch.directory().relativize(file).toString().replace('\\', '/');
      String location = batch.location() + "/" + relative;
      uploaded.add(CompletableFuture.supplyAsync(() -> upload(file, location), uploads));
    }
    List<String> locations = new ArrayList<>();
    RuntimeException failure = null;
    for (CompletableFuture<String> upload : uploaded) {
      try {
        locations.add(upload.join());
      } catch (CompletionException e) {
        failure =
            failure == null
                ? new DataflowException(
                    ErrorCode.UNAVAILABLE,
                    "Cannot write to the warehouse: " + e.getCause().getMessage(),
                    e.getCause())
                : failure;
      }
    }
    SpoolDirectory.delete(batch.directory());
    if (failure != null) {
      delete(locations);
      throw failure;
    }
    return locations;
  }

  private String upload(Path file, String location) {
    try (OutputStream out = io.newOutputFile(location).createOrOverwrite()) {
      Files.copy(file, out);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot upload " + location, e);
    }
    cache.adopt(location, file);
    return location;
  }

  @Override
  public String localPath(String location) {
    return cache.path(location).toString();
  }

  @Override
  public Held hold(Collection<String> locations) {
    return cache.hold(locations);
  }

  @Override
  public void delete(Collection<String> locations) {
    for (String location : locations) {
      io.deleteFile(location);
      cache.evict(location);
    }
  }

  @Override
  public List<Path> localRoots() {
    return List.of(cache.directory(), staging);
  }

  @Override
  public void close() {
    uploads.shutdownNow();
    cache.close();
  }
}
