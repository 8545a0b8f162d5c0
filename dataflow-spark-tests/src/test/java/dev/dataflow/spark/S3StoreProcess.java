package dev.dataflow.spark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * An S3-compatible store on 127.0.0.1: S3Proxy over a directory (its filesystem back end), as
 * bench's {@code S3Store} runs it, in a JVM of its own from bench's packaged jar and libraries:
 * S3Proxy's libraries stay off Spark's class path. It checks V4 signatures against one key pair; an
 * object is a file at {@code DIRECTORY/BUCKET/KEY}.
 */
final class S3StoreProcess implements AutoCloseable {
  static final String ACCESS_KEY = "spark-test-access";
  static final String SECRET_KEY = "spark-test-secret-key";
  private static final String READY = "S3Proxy on ";

  final Path directory;
  final String bucket;
  private final ChildJvm process;

  private S3StoreProcess(ChildJvm process, Path directory, String bucket) {
    this.process = process;
    this.directory = directory;
    this.bucket = bucket;
  }

  /** Serves {@code bucket} (created if missing) from {@code directory}. */
  static S3StoreProcess start(Path directory, String bucket) throws IOException {
    ChildJvm process =
        ChildJvm.start(
            ChildJvm.classpath(
                "dataflow.bench.jar", "dataflow.bench.lib", "dataflow.bench.s3proxy"),
            List.of("-Xmx256m"),
            "dev.dataflow.bench.S3Store",
            List.of("--directory", directory.toString(), "--bucket", bucket),
            credentials(),
            READY);
    return new S3StoreProcess(process, directory, bucket);
  }

  String endpoint() {
    return process.readyLine().substring(READY.length()).trim();
  }

  /** The key pair, in the variables the store and the server read. */
  static Map<String, String> credentials() {
    return Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY);
  }

  /** Where the object at {@code s3://BUCKET/KEY} lies on disk. */
  Path file(String location) {
    String prefix = "s3://" + bucket + "/";
    if (!location.startsWith(prefix)) {
      throw new IllegalArgumentException(location + " is not in " + prefix);
    }
    return directory.resolve(bucket).resolve(location.substring(prefix.length()));
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
