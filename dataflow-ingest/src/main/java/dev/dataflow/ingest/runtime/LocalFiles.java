package dev.dataflow.ingest.runtime;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The files of a local directory, read where they are. */
final class LocalFiles implements FileSource {
  private final Path directory;

  LocalFiles(Path directory) {
    this.directory = directory;
  }

  @Override
  public List<String> list() {
    if (!Files.isDirectory(directory)) {
      throw new DataflowException(
          ErrorCode.NOT_FOUND, "Source directory " + directory + " does not exist");
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      return paths
          .filter(Files::isRegularFile)
          .map(directory::relativize)
          .map(Path::toString)
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Path fetch(String name) {
    return directory.resolve(name);
  }

  @Override
  public void release(Path local) {}

  @Override
  public String uri(String name) {
    return directory.resolve(name).toAbsolutePath().normalize().toString();
  }

  @Override
  public Path directory() {
    return directory;
  }

  @Override
  public void close() {}
}
