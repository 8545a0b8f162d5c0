package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DaemonThreads;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;

/**
 * Remote data files kept on local disk for the SQL engine, as Dremio's C3 does. A data file never
 * changes once written, so a cached copy is always valid. The cache holds at most {@code capacity}
 * bytes of files nobody holds, least recently used out first; a file stays while a query holds it.
 * Concurrent queries wanting one file share its download, a scan's files download in parallel, and
 * a download is served only once complete: it is written beside its final name, its length checked
 * against the store's, and renamed into place.
 */
public final class DataFileCache implements AutoCloseable {
  private static final String PART = ".part-";
  private static final byte[] PARQUET_MAGIC = {'P', 'A', 'R', '1'};

  private final Path directory;
  private final long capacity;
  private final FileIO io;
  private final ExecutorService downloads;
  // guarded by this; in access order, so the first entries are the least recently used
  private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(256, 0.75f, true);
  private final Map<String, Download> inFlight = new HashMap<>();
  private long bytes;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong fetchedBytes = new AtomicLong();

  private static final class Entry {
    final long size;
    int holds;

    Entry(long size, int holds) {
      this.size = size;
      this.holds = holds;
    }
  }

  /** A download under way and how many holders wait for it. */
  private static final class Download {
    final CompletableFuture<Long> done = new CompletableFuture<>();
    int waiting = 1;
  }

  public DataFileCache(Path directory, long capacity, FileIO io, int parallelism) {
    this.directory = requireNonNull(directory, "directory is null").toAbsolutePath().normalize();
    this.io = requireNonNull(io, "io is null");
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity must be positive");
    }
    this.capacity = capacity;
    this.downloads =
        Executors.newFixedThreadPool(parallelism, DaemonThreads.named("data-file-download"));
    reindex();
  }

  /** Takes back the files of an earlier run; a download it left half done is deleted. */
  private void reindex() {
    try {
      Files.createDirectories(directory);
      List<Path> files;
      try (Stream<Path> walk = Files.walk(directory)) {
        files = walk.filter(Files::isRegularFile).toList();
      }
      List<Path> kept = new ArrayList<>();
      for (Path file : files) {
        if (file.getFileName().toString().contains(PART)) {
          Files.deleteIfExists(file);
        } else {
          kept.add(file);
        }
      }
      kept.sort(Comparator.comparing(DataFileCache::modified));
      synchronized (this) {
        for (Path file : kept) {
          long size = Files.size(file);
          entries.put(location(file), new Entry(size, 0));
          bytes += size;
        }
        trim();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read the data file cache " + directory, e);
    }
  }

  private static long modified(Path file) {
    try {
      return Files.getLastModifiedTime(file).toMillis();
    } catch (IOException e) {
      return 0;
    }
  }

  public Path directory() {
    return directory;
  }

  /**
   * The local path of a location: the location without its scheme, under the cache directory. A
   * location that would leave the directory is refused, whoever recorded it in a table's metadata.
   */
  public Path path(String location) {
    int scheme = location.indexOf("://");
    if (scheme < 0) {
      throw outside(location);
    }
    Path path = directory.resolve(location.substring(scheme + 3)).normalize();
    if (!path.startsWith(directory) || path.equals(directory)) {
      throw outside(location);
    }
    return path;
  }

  private String location(Path file) {
    return "s3://" + directory.relativize(file).toString().replace('\\', '/');
  }

  private static DataflowException outside(String location) {
    return new DataflowException(
        ErrorCode.INVALID_ARGUMENT, "Data file " + location + " is not in the warehouse");
  }

  /** Makes the files local and holds them until the result closes; fails if one cannot be had. */
  public Warehouse.Held hold(Collection<String> locations) {
    List<String> wanted = new ArrayList<>(new LinkedHashSet<>(locations));
    wanted.forEach(this::path);
    Map<String, CompletableFuture<Long>> waits = new LinkedHashMap<>();
    List<String> held = new ArrayList<>();
    synchronized (this) {
      for (String location : wanted) {
        Entry entry = entries.get(location);
        if (entry != null) {
          entry.holds++;
          held.add(location);
          hits.incrementAndGet();
          continue;
        }
        misses.incrementAndGet();
        Download download = inFlight.get(location);
        if (download != null) {
          download.waiting++;
        } else {
          download = new Download();
          inFlight.put(location, download);
          Download started = download;
          downloads.execute(() -> fetch(location, started));
        }
        waits.put(location, download.done);
      }
    }
    RuntimeException failure = null;
    for (Map.Entry<String, CompletableFuture<Long>> wait : waits.entrySet()) {
      try {
        wait.getValue().join();
        held.add(wait.getKey());
      } catch (CompletionException e) {
        failure = failure == null ? unwrap(e) : failure;
      }
    }
    Warehouse.Held result = () -> release(held);
    if (failure != null) {
      result.close();
      throw failure;
    }
    return result;
  }

  private static RuntimeException unwrap(CompletionException e) {
    return e.getCause() instanceof RuntimeException runtime ? runtime : e;
  }

  private void fetch(String location, Download download) {
    try {
      long size = download(location);
      synchronized (this) {
        inFlight.remove(location);
        entries.put(location, new Entry(size, download.waiting));
        bytes += size;
        trim();
      }
      fetchedBytes.addAndGet(size);
      download.done.complete(size);
    } catch (RuntimeException e) {
      synchronized (this) {
        inFlight.remove(location);
      }
      download.done.completeExceptionally(e);
    }
  }

  private long download(String location) {
    Path target = path(location);
    Path part = target.resolveSibling(target.getFileName() + PART + UUID.randomUUID());
    try {
      Files.createDirectories(target.getParent());
      InputFile input = io.newInputFile(location);
      long expected = input.getLength();
      long copied;
      try (InputStream in = input.newStream();
          OutputStream out = Files.newOutputStream(part)) {
        copied = in.transferTo(out);
      }
      if (copied != expected || (location.endsWith(".parquet") && !endsWithMagic(part))) {
        throw new DataflowException(
            ErrorCode.UNAVAILABLE,
            "Data file " + location + " came incomplete: " + copied + " of " + expected + " bytes");
      }
      Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return copied;
    } catch (IOException | UncheckedIOException e) {
      throw new DataflowException(
          ErrorCode.UNAVAILABLE, "Cannot read data file " + location + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(part);
      } catch (IOException e) {
        // left for the next start's reindex
      }
    }
  }

  private static boolean endsWithMagic(Path file) throws IOException {
    try (var channel = Files.newByteChannel(file)) {
      if (channel.size() < PARQUET_MAGIC.length) {
        return false;
      }
      java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(PARQUET_MAGIC.length);
      channel.position(channel.size() - PARQUET_MAGIC.length).read(tail);
      return java.util.Arrays.equals(tail.array(), PARQUET_MAGIC);
    }
  }

  /** Moves a file just written and uploaded into the cache, so its first reader finds it. */
  public void adopt(String location, Path file) {
    Path target = path(location);
    try {
      Files.createDirectories(target.getParent());
      long size = Files.size(file);
      Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
      synchronized (this) {
        Entry old = entries.put(location, new Entry(size, 0));
        bytes += size - (old == null ? 0 : old.size);
        trim();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot keep " + file + " in the data file cache", e);
    }
  }

  /** Forgets a file deleted from the store. */
  public void evict(String location) {
    synchronized (this) {
      Entry entry = entries.get(location);
      if (entry == null || entry.holds > 0) {
        return;
      }
      entries.remove(location);
      bytes -= entry.size;
    }
    deleteQuietly(path(location));
  }

  private synchronized void release(List<String> held) {
    for (String location : held) {
      Entry entry = entries.get(location);
      if (entry != null && entry.holds > 0) {
        entry.holds--;
      }
    }
    trim();
  }

  /** Evicts unheld files, least recently used first, until the cache is within its capacity. */
  private void trim() {
    Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
    while (bytes > capacity && oldest.hasNext()) {
      Map.Entry<String, Entry> next = oldest.next();
      if (next.getValue().holds == 0) {
        oldest.remove();
        bytes -= next.getValue().size;
        deleteQuietly(path(next.getKey()));
      }
    }
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      // a file that cannot be deleted now is taken back, or deleted, by the next start's reindex
    }
  }

  /** Reads answered from local disk. */
  public long hits() {
    return hits.get();
  }

  /** Reads that needed a download (or waited for one under way). */
  public long misses() {
    return misses.get();
  }

  public long fetchedBytes() {
    return fetchedBytes.get();
  }

  public synchronized long bytes() {
    return bytes;
  }

  @Override
  public void close() {
    downloads.shutdownNow();
  }
}
