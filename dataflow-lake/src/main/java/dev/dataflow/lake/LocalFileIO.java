package dev.dataflow.lake;

import java.io.File;
import java.util.Map;
import org.apache.iceberg.Files;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;

/**
 * A {@link FileIO} over the local file system. Iceberg core only ships Hadoop's for local paths,
 * which would put a Hadoop {@code FileSystem} in every read; this one stays on {@link java.nio}.
 */
public class LocalFileIO implements FileIO {
  @Override
  public InputFile newInputFile(String location) {
    return Files.localInput(path(location));
  }

  @Override
  public OutputFile newOutputFile(String location) {
    File file = new File(path(location));
    file.getParentFile().mkdirs();
    return Files.localOutput(file);
  }

  @Override
  public void deleteFile(String location) {
    new File(path(location)).delete();
  }

  @Override
  public void initialize(Map<String, String> properties) {}

  /**
   * Locations are plain absolute paths; a {@code file:} URI from another engine is accepted too.
   */
  static String path(String location) {
    if (location.startsWith("file://")) {
      return location.substring("file://".length());
    }
    return location.startsWith("file:") ? location.substring("file:".length()) : location;
  }
}
