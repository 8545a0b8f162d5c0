package dev.dataflow.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;

/**
 * The S3-compatible store of bench/s3: S3Proxy over a directory (its filesystem back end), in a JVM
 * of its own so that its request handling is not counted in the servers' processes. It listens on
 * 127.0.0.1 and a free port, checks V4 signatures against the key pair in {@code AWS_ACCESS_KEY_ID}
 * and {@code AWS_SECRET_ACCESS_KEY} (the variables the server reads), and creates the bucket if it
 * is missing. It prints its endpoint, then serves until the JVM is stopped.
 */
public final class S3Store {
  private S3Store() {}

  public static void main(String[] args) {
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    Map<String, String> options =
        BenchSupport.options(
            args, "S3Store --directory DIR --bucket NAME", "--directory", "--bucket");
    String accessKey = System.getenv("AWS_ACCESS_KEY_ID");
    String secretKey = System.getenv("AWS_SECRET_ACCESS_KEY");
    if (options.size() < 2 || accessKey == null || secretKey == null) {
      System.err.println(
          "--directory and --bucket are required; AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY too");
      System.exit(2);
    }
    try {
      S3Proxy proxy =
          start(Path.of(options.get("--directory")), options.get("--bucket"), accessKey, secretKey);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(proxy)));
      System.out.println("S3Proxy on http://127.0.0.1:" + proxy.getPort());
    } catch (Exception e) {
      // Jetty's threads, once started, would keep the JVM and the bench command waiting
      e.printStackTrace();
      System.exit(1);
    }
  }

  private static S3Proxy start(Path directory, String bucket, String accessKey, String secretKey)
      throws Exception {
    Files.createDirectories(directory);
    BlobStore store = new FilesystemNio2BlobStore(directory.toAbsolutePath().toString());
    if (!store.containerExists(bucket)) {
      store.createContainer(bucket);
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(store)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
    proxy.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    return proxy;
  }

  private static void stop(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception e) {
      // the JVM is ending: its sockets close with it
    }
  }
}
