package dev.dataflow.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.dataflow.api.DataflowException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.io.InputFile;
import org.apache.iceberg.io.OutputFile;
import org.apache.iceberg.io.SeekableInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataFileCacheTest {
  @TempDir Path store;
  @TempDir Path local;

  private final StoreIO io = new StoreIO();
  private DataFileCache cache;

  /**
   * A store of objects {@code s3://b/KEY} in a directory, counting reads; may cut a stream short.
   */
  private final class StoreIO implements FileIO {
    final Map<String, AtomicInteger> reads = new ConcurrentHashMap<>();
    final Set<String> truncated = ConcurrentHashMap.newKeySet();
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public InputFile newInputFile(String location) {
      Path file = store.resolve(location.substring("s3://b/".length()));
      return new InputFile() {
        @Override
        public long getLength() {
          return org.apache.iceberg.Files.localInput(file.toFile()).getLength();
        }

        @Override
        public SeekableInputStream newStream() {
          reads.computeIfAbsent(location, k -> new AtomicInteger()).incrementAndGet();
          try {
            gate.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          SeekableInputStream in = org.apache.iceberg.Files.localInput(file.toFile()).newStream();
          return truncated.contains(location) ? cut(in) : in;
        }

        @Override
        public String location() {
          return location;
        }

        @Override
        public boolean exists() {
          return Files.exists(file);
        }
      };
    }

    @Override
    public OutputFile newOutputFile(String location) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void deleteFile(String location) {
      throw new UnsupportedOperationException();
    }
  }

  /** A stream that ends after its first byte, as a dropped connection would. */
  private static SeekableInputStream cut(SeekableInputStream in) {
    return new SeekableInputStream() {
      private boolean done;

      @Override
      public long getPos() throws IOException {
        return in.getPos();
      }

      @Override
      public void seek(long position) throws IOException {
        in.seek(position);
      }

      @Override
      public int read() throws IOException {
        if (done) {
          return -1;
        }
        done = true;
        return in.read();
      }

      @Override
      public void close() throws IOException {
        in.close();
      }
    };
  }

  @BeforeEach
  void open() {
    cache = new DataFileCache(local.resolve("cache"), 100, io, 4);
  }

  @AfterEach
  void close() {
    cache.close();
  }

  private String object(String key, int size) throws IOException {
    Path file = store.resolve(key);
    Files.createDirectories(file.getParent());
    byte[] bytes = new byte[size];
    java.util.Arrays.fill(bytes, (byte) key.charAt(0));
    if (key.endsWith(".parquet")) {
      // a Parquet file ends with its magic number
      System.arraycopy("PAR1".getBytes(), 0, bytes, size - 4, 4);
    }
    Files.write(file, bytes);
    return "s3://b/" + key;
  }

  private int reads(String location) {
    return io.reads.getOrDefault(location, new AtomicInteger()).get();
  }

  @Test
  void aHeldFileIsLocalAndASecondReadIsAHit() throws IOException {
    String a = object("t/a.bin", 10);
    try (Warehouse.Held held = cache.hold(List.of(a))) {
      assertThat(cache.path(a)).hasSize(10);
    }
    try (Warehouse.Held held = cache.hold(List.of(a))) {
      assertThat(cache.path(a)).exists();
    }
    assertThat(reads(a)).isEqualTo(1);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
  }

  @Test
  void theLeastRecentlyUsedUnheldFileLeavesFirst() throws IOException {
    String a = object("t/a.bin", 40);
    String b = object("t/b.bin", 40);
    String c = object("t/c.bin", 40);
    cache.hold(List.of(a)).close();
    cache.hold(List.of(b)).close();
    cache.hold(List.of(a)).close(); // a is now more recent than b
    cache.hold(List.of(c)).close();
    assertThat(cache.path(b)).doesNotExist();
    assertThat(cache.path(a)).exists();
    assertThat(cache.path(c)).exists();
    assertThat(cache.bytes()).isEqualTo(80);
  }

  @Test
  void aHeldFileIsNeverEvictedEvenOverCapacity() throws IOException {
    String a = object("t/a.bin", 60);
    String b = object("t/b.bin", 60);
    try (Warehouse.Held held = cache.hold(List.of(a, b))) {
      assertThat(cache.path(a)).exists();
      assertThat(cache.path(b)).exists();
      assertThat(cache.bytes()).isEqualTo(120);
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(100);
  }

  @Test
  void concurrentReadersShareOneDownload() throws Exception {
    String a = object("t/a.bin", 10);
    io.gate = new CountDownLatch(1);
    ExecutorService readers = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> done =
          java.util.stream.IntStream.range(0, 4)
              .mapToObj(
                  i ->
                      readers.submit(
                          () -> {
                            try (Warehouse.Held held = cache.hold(List.of(a))) {
                              assertThat(cache.path(a)).hasSize(10);
                            }
                          }))
              .<Future<?>>map(f -> f)
              .toList();
      Thread.sleep(200);
      io.gate.countDown();
      for (Future<?> future : done) {
        future.get();
      }
    } finally {
      readers.shutdownNow();
    }
    assertThat(reads(a)).isEqualTo(1);
  }

  @Test
  void anIncompleteDownloadIsNeverServed() throws IOException {
    String a = object("t/a.parquet", 10);
    io.truncated.add(a);
    assertThatThrownBy(() -> cache.hold(List.of(a)))
        .isInstanceOf(DataflowException.class)
        .hasMessageContaining("came incomplete: 1 of 10 bytes");
    assertThat(cache.path(a)).doesNotExist();
    try (var files = Files.walk(cache.directory())) {
      assertThat(files.filter(Files::isRegularFile)).isEmpty();
    }
    io.truncated.clear();
    try (Warehouse.Held held = cache.hold(List.of(a))) {
      assertThat(cache.path(a)).hasSize(10);
    }
  }

  @Test
  void aLocationOutsideTheCacheIsRefused() {
    assertThatThrownBy(() -> cache.path("s3://b/../../etc/passwd"))
        .hasMessageContaining("is not in the warehouse");
    assertThatThrownBy(() -> cache.path("/etc/passwd"))
        .hasMessageContaining("is not in the warehouse");
  }

  @Test
  void aRestartKeepsCompleteFilesAndDropsHalfDownloads() throws IOException {
    String a = object("t/a.bin", 10);
    cache.hold(List.of(a)).close();
    Path half = cache.path(a).resolveSibling("b.bin.part-123");
    Files.write(half, new byte[3]);
    cache.close();
    cache = new DataFileCache(local.resolve("cache"), 100, io, 4);
    assertThat(half).doesNotExist();
    cache.hold(List.of(a)).close();
    assertThat(reads(a)).isEqualTo(1);
    assertThat(cache.bytes()).isEqualTo(10);
  }
}
