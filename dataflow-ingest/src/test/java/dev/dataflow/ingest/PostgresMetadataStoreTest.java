package dev.dataflow.ingest;

import dev.dataflow.lake.LakeConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The metadata store contract on PostgreSQL 17 (embedded), a database of its own per test. */
class PostgresMetadataStoreTest extends MetadataStoreContract {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void start() throws Exception {
    postgres = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
  }

  @AfterAll
  static void stop() throws Exception {
    postgres.close();
  }

  @Override
  protected LakeConfig store(Path data) throws Exception {
    String database = "store_" + DATABASES.incrementAndGet();
    try (Connection connection = postgres.getPostgresDatabase().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + database);
    }
    return LakeConfig.embedded(data)
        .withCatalog(postgres.getJdbcUrl("postgres", database), "postgres", "postgres");
  }
}
