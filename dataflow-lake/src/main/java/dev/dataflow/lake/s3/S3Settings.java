package dev.dataflow.lake.s3;

import static java.util.Objects.requireNonNull;

import java.net.URI;

/**
 * How to reach an S3 store.
 *
 * @param endpoint an S3-compatible endpoint (MinIO, S3Proxy…), addressed path-style; null for AWS
 * @param accessKeyId with {@code secretAccessKey}, static credentials; both null for the SDK's
 *     default chain (environment, profile, instance role)
 */
public record S3Settings(URI endpoint, String region, String accessKeyId, String secretAccessKey) {
  public S3Settings {
    requireNonNull(region, "region is null");
    if ((accessKeyId == null) != (secretAccessKey == null)) {
      throw new IllegalArgumentException("give both the access key id and the secret key, or none");
    }
  }

  /** Never shows the secret key, so settings can be logged. */
  @Override
  public String toString() {
    return "S3Settings[endpoint="
        + endpoint
        + ", region="
        + region
        + ", credentials="
        + (accessKeyId == null ? "default chain" : "static")
        + "]";
  }
}
