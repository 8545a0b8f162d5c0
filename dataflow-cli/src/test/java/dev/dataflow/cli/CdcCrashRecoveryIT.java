package dev.dataflow.cli;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cdc pipeline from PostgreSQL's logical replication survives a SIGKILL mid-stream: see {@link
 * CdcCrash}.
 */
class CdcCrashRecoveryIT {
  @TempDir Path dir;

  @Test
  void aKilledServerResumesTheStreamAndConverges() throws Exception {
    try (EmbeddedPostgres postgres =
        EmbeddedPostgres.builder()
            .setServerConfig("listen_addresses", "127.0.0.1")
            .setServerConfig("wal_level", "logical")
            .start()) {
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          Statement statement = connection.createStatement()) {
        statement.execute(
            """
            CREATE TABLE orders (id bigint PRIMARY KEY, name text, amount numeric(12,2), qty int);
            INSERT INTO orders SELECT i, 'name ' || i, i * 1.25, i %% 100
              FROM generate_series(1, %d) i;
            """
                .formatted(CdcCrash.INITIAL_ROWS));
      }
      CdcCrash.killMidStreamAndConverge(
          dir,
          new CdcCrash.Source(
              "url: \"%s\", user: postgres, table: public.orders"
                  .formatted(postgres.getJdbcUrl("postgres", "postgres")),
              () -> postgres.getPostgresDatabase().getConnection(),
              CdcCrash.digest("orders")));
    }
  }
}
