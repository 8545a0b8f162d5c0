package dev.dataflow.lake.s3;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Objects of an S3 store, through the AWS SDK's S3 client: list a prefix, download an object to a
 * local file. Thread-safe (the SDK client is); close it to release its connections.
 */
public final class S3Storage implements AutoCloseable {
  /** An object under a prefix: its key relative to the prefix, and its size. */
  public record Entry(String relativeKey, long size) {}

  private final S3Client client;

  private S3Storage(S3Client client) {
    this.client = client;
  }

  public static S3Storage open(S3Settings settings) {
    requireNonNull(settings, "settings is null");
    var builder =
        S3Client.builder()
            .httpClientBuilder(UrlConnectionHttpClient.builder())
            .region(Region.of(settings.region()))
            // S3-compatible stores do not all know the SDK's newer default checksums
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .credentialsProvider(
                settings.accessKeyId() == null
                    ? DefaultCredentialsProvider.builder().build()
                    : StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(
                            settings.accessKeyId(), settings.secretAccessKey())));
    if (settings.endpoint() != null) {
      builder.endpointOverride(settings.endpoint()).forcePathStyle(true);
    }
    return new S3Storage(builder.build());
  }

  /**
   * Checks that the location's bucket exists and that these credentials may list it.
   *
   * @throws DataflowException naming the bucket and what the store refused
   */
  public void check(S3Location location) {
    requireNonNull(location, "location is null");
    try {
      client.listObjectsV2(b -> b.bucket(location.bucket()).prefix(location.prefix()).maxKeys(1));
    } catch (SdkException e) {
      throw failure("list bucket " + location.bucket(), e);
    }
  }

  /** Every object under the location's prefix (at any depth), by relative key. */
  public List<Entry> list(S3Location location) {
    requireNonNull(location, "location is null");
    List<Entry> entries = new ArrayList<>();
    try {
      ListObjectsV2Request request =
          ListObjectsV2Request.builder()
              .bucket(location.bucket())
              .prefix(location.prefix())
              .build();
      for (S3Object object : client.listObjectsV2Paginator(request).contents()) {
        String relative = object.key().substring(location.prefix().length());
        if (!relative.isEmpty() && !relative.endsWith("/")) {
          entries.add(new Entry(relative, object.size()));
        }
      }
    } catch (SdkException e) {
      throw failure("list " + location.uri(""), e);
    }
    return entries;
  }

  /**
   * Writes an object to {@code target} (replaced) and returns its size.
   *
   * @throws DataflowException NOT_FOUND when the object does not exist (deleted since it was
   *     listed)
   */
  public long download(S3Location location, String relativeKey, Path target) {
    requireNonNull(location, "location is null");
    requireNonNull(relativeKey, "relativeKey is null");
    requireNonNull(target, "target is null");
    String uri = location.uri(relativeKey);
    try (var in =
        client.getObject(
            b -> b.bucket(location.bucket()).key(location.prefix() + relativeKey),
            ResponseTransformer.toInputStream())) {
      return Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
    } catch (NoSuchKeyException e) {
      throw new DataflowException(
          ErrorCode.NOT_FOUND, "source object " + uri + " does not exist (deleted or moved?)", e);
    } catch (SdkException e) {
      throw failure("read " + uri, e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot download " + uri + " to " + target, e);
    }
  }

  private static DataflowException failure(String what, SdkException e) {
    if (e instanceof S3Exception s3 && s3.awsErrorDetails() != null) {
      ErrorCode code =
          switch (s3.statusCode()) {
            case 403 -> ErrorCode.PERMISSION_DENIED;
            case 404 -> ErrorCode.NOT_FOUND;
            default -> ErrorCode.INTERNAL;
          };
      return new DataflowException(
          code,
          "Cannot "
              + what
              + ": "
              + s3.awsErrorDetails().errorCode()
              + " ("
              + s3.statusCode()
              + "): "
              + s3.awsErrorDetails().errorMessage(),
          e);
    }
    return new DataflowException(ErrorCode.INTERNAL, "Cannot " + what + ": " + e.getMessage(), e);
  }

  @Override
  public void close() {
    client.close();
  }
}
