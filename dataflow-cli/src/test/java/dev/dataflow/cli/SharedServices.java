package dev.dataflow.cli;

import dev.dataflow.lake.S3ProxyServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;

/**
 * The shared services of a platform beyond one machine, on 127.0.0.1: an embedded PostgreSQL 17
 * with an empty database {@code lake} for the metadata store, and S3Proxy with a bucket {@code
 * lake} for the warehouse.
 */
final class SharedServices implements AutoCloseable {
  static final String WAREHOUSE = "s3://lake/warehouse";

  private final EmbeddedPostgres postgres;
  private final S3ProxyServer store;

  SharedServices(Path dir) throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
    try (Connection admin = postgres.getPostgresDatabase().getConnection();
        Statement statement = admin.createStatement()) {
      statement.execute("CREATE DATABASE lake");
      store = new S3ProxyServer(Files.createDirectories(dir.resolve("store")));
      store.createBucket("lake");
    } catch (Exception e) {
      postgres.close();
      throw e;
    }
  }

  String catalogUrl() {
    return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/lake";
  }

  /** The credentials of both services and the store's endpoint, as a process reads them. */
  Map<String, String> credentials() {
    return Map.of(
        "DATAFLOW_CATALOG_USER",
        "postgres",
        "DATAFLOW_CATALOG_PASSWORD",
        "postgres",
        "AWS_ENDPOINT_URL",
        store.endpoint().toString(),
        "AWS_ACCESS_KEY_ID",
        S3ProxyServer.ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY",
        S3ProxyServer.SECRET_KEY);
  }

  /** {@link #credentials()} and where the metadata store and the warehouse are. */
  Map<String, String> environment() {
    Map<String, String> environment = new HashMap<>(credentials());
    environment.put("DATAFLOW_CATALOG_URL", catalogUrl());
    environment.put("DATAFLOW_WAREHOUSE", WAREHOUSE);
    return environment;
  }

  @Override
  public void close() throws Exception {
    try {
      store.close();
    } finally {
      postgres.close();
    }
  }
}
