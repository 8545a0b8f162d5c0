package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.s3.S3Settings;
import java.nio.file.Path;

/**
 * Where the lake lives: the catalog database (a JDBC URL; SQLite embedded, PostgreSQL when shared),
 * the warehouse that holds table data and metadata (a local directory, or {@code
 * s3://bucket/prefix} with the store's settings), and the local data directory for what never needs
 * sharing (the data file cache, spill and spool files, result pages).
 *
 * @param cacheBytes the most the cache of an S3 warehouse's data files holds on local disk
 */
public record LakeConfig(
    String catalogUrl,
    String catalogUser,
    String catalogPassword,
    Path dataDir,
    String warehouse,
    S3Settings s3,
    long cacheBytes) {
  /** The cache's default bound: a large share of a laptop's free disk, little of a server's. */
  public static final long DEFAULT_CACHE_BYTES = 10L << 30;

  public LakeConfig {
    requireNonNull(catalogUrl, "catalogUrl is null");
    requireNonNull(warehouse, "warehouse is null");
    dataDir = requireNonNull(dataDir, "dataDir is null").toAbsolutePath().normalize();
    if (isS3(warehouse)) {
      requireNonNull(s3, "an s3:// warehouse needs its store's settings");
    } else {
      warehouse = Path.of(LocalFileIO.path(warehouse)).toAbsolutePath().normalize().toString();
    }
    if (cacheBytes <= 0) {
      throw new IllegalArgumentException("cacheBytes must be positive");
    }
  }

  /** The embedded default: a SQLite catalog and a warehouse under one data directory. */
  public static LakeConfig embedded(Path dataDir) {
    Path dir = dataDir.toAbsolutePath().normalize();
    return new LakeConfig(
        "jdbc:sqlite:" + dir.resolve("catalog.db"),
        null,
        null,
        dir,
        dir.resolve("warehouse").toString(),
        null,
        DEFAULT_CACHE_BYTES);
  }

  /** The same lake with its metadata in another database. */
  public LakeConfig withCatalog(String url, String user, String password) {
    return new LakeConfig(url, user, password, dataDir, warehouse, s3, cacheBytes);
  }

  /** The same lake with its data in an S3 store, read through a cache of {@code cacheBytes}. */
  public LakeConfig withS3Warehouse(String location, S3Settings settings, long cacheBytes) {
    if (!isS3(location)) {
      throw new IllegalArgumentException("not an s3:// location: " + location);
    }
    return new LakeConfig(
        catalogUrl, catalogUser, catalogPassword, dataDir, location, settings, cacheBytes);
  }

  public boolean isSqlite() {
    return catalogUrl.startsWith("jdbc:sqlite:");
  }

  public boolean isS3() {
    return isS3(warehouse);
  }

  private static boolean isS3(String location) {
    return location.startsWith("s3://");
  }

  /** The warehouse directory of a local warehouse. */
  public Path localWarehouse() {
    if (isS3()) {
      throw new IllegalStateException("the warehouse is in S3: " + warehouse);
    }
    return Path.of(warehouse);
  }

  @Override
  public String toString() {
    // the password is a secret: never printed (the S3 settings hide their own)
    return "LakeConfig[catalog=" + catalogUrl + ", warehouse=" + warehouse + "]";
  }
}
