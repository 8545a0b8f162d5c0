package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local directories work is staged in (a reader's source data, new files before their upload),
 * each its own and deleted when done.
 */
public final class SpoolDirectory {
  private static final Logger LOG = LoggerFactory.getLogger(SpoolDirectory.class);

  private SpoolDirectory() {}

  /** A new, empty directory {@code <parent>/<prefix>-<random>}, absolute. */
  public static Path create(Path parent, String prefix) {
    requireNonNull(parent, "parent is null");
    requireNonNull(prefix, "prefix is null");
    Path directory = parent.toAbsolutePath().normalize().resolve(prefix + "-" + UUID.randomUUID());
    try {
      return Files.createDirectories(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create the spool directory " + directory, e);
    }
  }

  /**
   * Deletes a directory and everything in it; a failure is logged, not thrown, as this runs when
   * the work is over (and a later run must not fail for it).
   */
  public static void delete(Path directory) {
    requireNonNull(directory, "directory is null");
    if (!Files.exists(directory)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(directory)) {
      for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(path);
      }
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Cannot delete the spool directory {}: {}", directory, e.toString());
    }
  }
}
