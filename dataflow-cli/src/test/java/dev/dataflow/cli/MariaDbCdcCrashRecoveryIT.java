package dev.dataflow.cli;

import dev.dataflow.ingest.jdbc.MariaDbServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cdc pipeline from a MariaDB binlog survives a SIGKILL mid-stream: see {@link CdcCrash}.
 * Skipped, saying so, where mariadbd is not installed.
 */
class MariaDbCdcCrashRecoveryIT {
  /** {@link CdcCrash#digest}'s text in MariaDB's SQL, where || is OR and string_agg is absent. */
  private static final String DIGEST =
      "SELECT md5(group_concat(CONCAT(id, '|', coalesce(name, 'null'), '|',"
          + " coalesce(amount, 'null'), '|', coalesce(qty, 'null')) ORDER BY id SEPARATOR ','))"
          + " FROM orders";

  @TempDir Path dir;

  @Test
  void aKilledServerResumesTheBinlogStreamAndConverges() throws Exception {
    try (MariaDbServer mariadb =
        MariaDbServer.startOrSkip(Files.createDirectories(dir.resolve("mariadb")), true)) {
      mariadb.execute("", "CREATE DATABASE shop");
      mariadb.execute(
          "shop",
          "CREATE TABLE orders (id BIGINT PRIMARY KEY, name TEXT, amount DECIMAL(12,2),"
              + " qty INT)",
          "INSERT INTO orders SELECT seq, CONCAT('name ', seq), seq * 1.25, seq % 100"
              + " FROM seq_1_to_"
              + CdcCrash.INITIAL_ROWS);
      CdcCrash.killMidStreamAndConverge(
          dir,
          new CdcCrash.Source(
              "url: \"%s\", user: root, table: orders".formatted(mariadb.url("shop")),
              // the default group_concat_max_len (1 MB) would cut the digest's text short
              () ->
                  DriverManager.getConnection(
                      mariadb.url("shop") + "?sessionVariables=group_concat_max_len=67108864",
                      "root",
                      ""),
              DIGEST));
    }
  }
}
