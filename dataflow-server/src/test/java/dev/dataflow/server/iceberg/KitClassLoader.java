package dev.dataflow.server.iceberg;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Loads Iceberg's classes from the REST Compatibility Kit's jars (Iceberg 1.11, its last release)
 * before the test class path's (1.12, the server's), and everything else (JUnit, AssertJ, Jackson,
 * the HTTP client) from the test class path. So the kit and its Iceberg client run as a remote 1.11
 * client would, while the server in the same JVM keeps 1.12.
 */
final class KitClassLoader extends URLClassLoader {
  private static final List<String> OWN = List.of("org.apache.iceberg.", "org.apache.avro.");

  static {
    registerAsParallelCapable();
  }

  private KitClassLoader(URL[] jars, ClassLoader parent) {
    super("rck", jars, parent);
  }

  /** Over the jars in {@code dir}, which Maven copies there before the integration tests. */
  static KitClassLoader over(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      URL[] jars =
          files
              .filter(f -> f.toString().endsWith(".jar"))
              .map(KitClassLoader::url)
              .toArray(URL[]::new);
      if (jars.length == 0) {
        throw new IllegalStateException("No kit jars in " + dir + ": run through Maven's verify");
      }
      return new KitClassLoader(jars, KitClassLoader.class.getClassLoader());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static URL url(Path file) {
    try {
      return file.toUri().toURL();
    } catch (MalformedURLException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
    if (OWN.stream().noneMatch(name::startsWith)) {
      return super.loadClass(name, resolve);
    }
    synchronized (getClassLoadingLock(name)) {
      Class<?> loaded = findLoadedClass(name);
      if (loaded == null) {
        loaded = findClass(name);
      }
      if (resolve) {
        resolveClass(loaded);
      }
      return loaded;
    }
  }

  @Override
  public URL getResource(String name) {
    // their resources (Iceberg's version, Avro's schemas) must match their classes too
    URL own =
        OWN.stream().anyMatch(p -> name.startsWith(p.replace('.', '/')))
            ? findResource(name)
            : null;
    return own != null ? own : super.getResource(name);
  }
}
