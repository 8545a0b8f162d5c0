package dev.dataflow.lake;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;

/** A warehouse directory on local disk: DuckDB writes and reads the table files in place. */
final class LocalWarehouse implements Warehouse {
  private final Path root;

  LocalWarehouse(Path root) {
    this.root = root;
  }

  @Override
  public Batch newBatch(String tableLocation) {
    Path data = Path.of(LocalFileIO.path(tableLocation), "data");
    try {
      // DuckDB creates the batch directory but not its parents
      Files.createDirectories(data);
    } catch (IOException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot create " + data + ": " + e, e);
    }
    Path directory = data.resolve(Warehouse.batchName());
    return new Batch(directory, directory.toString());
  }

  @Override
  public List<String> publish(Batch batch, List<Path> written) {
    return written.stream().map(Path::toString).toList();
  }

  @Override
  public String localPath(String location) {
    return LocalFileIO.path(location);
  }

  @Override
  public Held hold(Collection<String> locations) {
    return Held.NOTHING;
  }

  @Override
  public void delete(Collection<String> locations) {
    for (String location : locations) {
      try {
        Files.deleteIfExists(Path.of(localPath(location)));
      } catch (IOException e) {
        // an orphan file is harmless: no snapshot names it
      }
    }
  }

  @Override
  public List<Path> localRoots() {
    return List.of(root);
  }

  @Override
  public void close() {}
}
