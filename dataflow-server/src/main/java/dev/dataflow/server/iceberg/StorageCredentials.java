package dev.dataflow.server.iceberg;

import dev.dataflow.lake.LakeConfig;
import dev.dataflow.lake.s3.S3Properties;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import org.apache.iceberg.rest.credentials.Credential;
import org.apache.iceberg.rest.credentials.ImmutableCredential;

/**
 * Storage credentials an S3 warehouse hands to a REST catalog client: the store's endpoint, region,
 * addressing and keys, as Iceberg's {@code S3FileIO} properties, scoped by prefix to one table's
 * location. Only a client that asks for vended credentials gets them, only for a table in the
 * warehouse, and never in a log line. The keys are the server's own: an S3-compatible store without
 * a token service has nothing narrower to give.
 */
final class StorageCredentials {
  static final String DELEGATION_HEADER = "X-Iceberg-Access-Delegation";
  private static final String VENDED = "vended-credentials";

  private final LakeConfig lake;

  StorageCredentials(LakeConfig lake) {
    this.lake = lake;
  }

  /** Whether a load answered to a request with this delegation header carries credentials. */
  boolean vend(String delegation, String tableLocation) {
    return delegation != null
        && Arrays.stream(delegation.split(",")).anyMatch(mode -> mode.trim().equals(VENDED))
        && lake.isS3()
        && tableLocation != null
        && tableLocation.startsWith(lake.warehouse() + "/");
  }

  Credential credential(String tableLocation) {
    Map<String, String> config = new TreeMap<>(S3Properties.of(lake.s3()));
    // how the client reads files is its own choice; only where and with what keys is ours
    config.remove("io-impl");
    config.remove("http-client.type");
    return ImmutableCredential.builder().prefix(tableLocation).config(config).build();
  }
}
