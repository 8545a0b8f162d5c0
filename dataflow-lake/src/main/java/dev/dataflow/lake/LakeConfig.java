package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;

/**
 * Where the lake lives: the catalog database (a JDBC URL; SQLite embedded, PostgreSQL when shared)
 * and the warehouse directory that holds table data and metadata.
 */
public record LakeConfig(
    String catalogUrl, String catalogUser, String catalogPassword, Path warehouse) {
  public LakeConfig {
    requireNonNull(catalogUrl, "catalogUrl is null");
    requireNonNull(warehouse, "warehouse is null");
    warehouse = warehouse.toAbsolutePath().normalize();
  }

  /** The embedded default: a SQLite catalog and a warehouse under one data directory. */
  public static LakeConfig embedded(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    return new LakeConfig(
        "jdbc:sqlite:" + dir.resolve("catalog.db"), null, null, dir.resolve("warehouse"));
  }

  public boolean isSqlite() {
    return catalogUrl.startsWith("jdbc:sqlite:");
  }

  @Override
  public String toString() {
    // the password is a secret: never printed
    return "LakeConfig[catalog=" + catalogUrl + ", warehouse=" + warehouse + "]";
  }
}
