package dev.dataflow.lake.s3;

import java.util.HashMap;
import java.util.Map;

/** Iceberg's {@code S3FileIO} properties for a store's settings. */
public final class S3Properties {
  private S3Properties() {}

  /** The catalog properties that make Iceberg read and write the warehouse through S3FileIO. */
  public static Map<String, String> of(S3Settings settings) {
    Map<String, String> properties = new HashMap<>();
    properties.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    // the SDK's client over the JDK's HTTP connection, as S3Storage's: no Apache client to ship
    properties.put("http-client.type", "urlconnection");
    properties.put("client.region", settings.region());
    if (settings.endpoint() != null) {
      properties.put("s3.endpoint", settings.endpoint().toString());
      properties.put("s3.path-style-access", "true");
    }
    if (settings.accessKeyId() != null) {
      properties.put("s3.access-key-id", settings.accessKeyId());
      properties.put("s3.secret-access-key", settings.secretAccessKey());
    }
    return properties;
  }
}
