package dev.dataflow.lake.s3;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.net.URI;

/**
 * A bucket and a key prefix, from {@code s3://bucket/prefix}. The prefix is empty or ends with
 * {@code /}, so it names a "directory" and never matches {@code prefix-other/…}.
 */
public record S3Location(String bucket, String prefix) {
  public S3Location {
    requireNonNull(bucket, "bucket is null");
    requireNonNull(prefix, "prefix is null");
  }

  public static S3Location parse(URI uri) {
    requireNonNull(uri, "uri is null");
    if (!"s3".equals(uri.getScheme()) || uri.getAuthority() == null) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "Not an S3 location (s3://bucket/prefix): " + uri);
    }
    String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("^/+", "");
    return new S3Location(
        uri.getAuthority(), path.isEmpty() || path.endsWith("/") ? path : path + "/");
  }

  /** The URI of an object of this location, by its key relative to the prefix. */
  public String uri(String relativeKey) {
    return "s3://" + bucket + "/" + prefix + relativeKey;
  }
}
