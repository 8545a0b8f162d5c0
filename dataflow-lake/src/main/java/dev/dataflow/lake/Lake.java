package dev.dataflow.lake;

import static java.util.Objects.requireNonNull;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.s3.S3Location;
import dev.dataflow.lake.s3.S3Properties;
import dev.dataflow.lake.s3.S3Settings;
import dev.dataflow.lake.s3.S3Storage;
import dev.dataflow.lake.s3.S3Warehouse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.CatalogUtil;
import org.apache.iceberg.HasTableOperations;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.exceptions.NoSuchViewException;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.view.View;

/**
 * The Iceberg lake: a {@link JdbcCatalog} of namespaces (spaces and folders), tables and views over
 * one warehouse, plus a connection to the same database for Dataflow's own metadata.
 */
public final class Lake implements AutoCloseable {
  /** The earlier metadata files a table keeps beside its current one. */
  public static final int PREVIOUS_METADATA_FILES = 100;

  private final LakeConfig config;
  private final JdbcCatalog catalog;
  private final FileIO io;
  private final Warehouse warehouse;
  private final Map<TableIdentifier, Table> tables = new ConcurrentHashMap<>();

  private Lake(LakeConfig config, JdbcCatalog catalog, FileIO io, Warehouse warehouse) {
    this.config = config;
    this.catalog = catalog;
    this.io = io;
    this.warehouse = warehouse;
  }

  public static Lake open(LakeConfig config) {
    requireNonNull(config, "config is null");
    Map<String, String> properties = new HashMap<>();
    properties.put("uri", config.catalogUrl());
    properties.put("warehouse", config.warehouse());
    if (config.isS3()) {
      S3Settings s3 = config.s3();
      try (S3Storage storage = S3Storage.open(s3)) {
        storage.check(S3Location.parse(URI.create(config.warehouse())));
      }
      properties.putAll(S3Properties.of(s3));
    } else {
      properties.put(CatalogProperties.FILE_IO_IMPL, LocalFileIO.class.getName());
    }
    try {
      Files.createDirectories(config.dataDir());
      if (!config.isS3()) {
        Files.createDirectories(config.localWarehouse());
      }
      if (config.isSqlite()) {
        Path file = Path.of(config.catalogUrl().substring("jdbc:sqlite:".length()));
        Files.createDirectories(file.toAbsolutePath().getParent());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    // schema V1 adds the record type column that Iceberg views need
    properties.put("jdbc.schema-version", "V1");
    // a pooled connection first learns that PostgreSQL restarted as 57P01-57P03: reconnect and
    // retry, as for Iceberg's own list of connection states, rather than fail one request
    properties.put("retryable_status_codes", String.join(",", MetadataDb.SHUTTING_DOWN));
    connectionProperties(config).forEach((k, v) -> properties.put("jdbc." + k, v.toString()));
    // every commit writes a new metadata file holding the whole table history: a continuous
    // pipeline that keeps them all fills the disk quadratically, so new tables keep the last 100
    properties.put("table-default." + TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true");
    properties.put(
        "table-default." + TableProperties.METADATA_PREVIOUS_VERSIONS_MAX,
        String.valueOf(PREVIOUS_METADATA_FILES));
    JdbcCatalog catalog = new JdbcCatalog();
    catalog.initialize("dataflow", properties);
    FileIO io =
        CatalogUtil.loadFileIO(properties.get(CatalogProperties.FILE_IO_IMPL), properties, null);
    Lake lake = new Lake(config, catalog, io, warehouse(config, io));
    Migrations.apply(lake);
    return lake;
  }

  private static Warehouse warehouse(LakeConfig config, FileIO io) {
    if (!config.isS3()) {
      return new LocalWarehouse(config.localWarehouse());
    }
    // downloads and uploads wait on the network, not on the 2 to 8 cores a node has
    DataFileCache cache =
        new DataFileCache(config.dataDir().resolve("cache"), config.cacheBytes(), io, 16);
    return new S3Warehouse(io, cache, config.dataDir().resolve("staging"), 8);
  }

  private static Properties connectionProperties(LakeConfig config) {
    Properties properties = new Properties();
    if (config.catalogUser() != null) {
      properties.put("user", config.catalogUser());
    }
    if (config.catalogPassword() != null) {
      properties.put("password", config.catalogPassword());
    }
    if (config.isSqlite()) {
      // several pools share one file: wait for a writer instead of failing with SQLITE_BUSY
      properties.put("busy_timeout", "30000");
      properties.put("journal_mode", "WAL");
      // with WAL, NORMAL never corrupts the database; a power cut may lose the last commits, and
      // with them their data files' registration and offsets together, never one without the other
      properties.put("synchronous", "NORMAL");
    }
    return properties;
  }

  public LakeConfig config() {
    return config;
  }

  public JdbcCatalog catalog() {
    return catalog;
  }

  public FileIO io() {
    return io;
  }

  /** Where data files live and how the SQL engine reaches them locally. */
  public Warehouse warehouse() {
    return warehouse;
  }

  /** A new connection to the catalog database, for Dataflow's own metadata tables. */
  public Connection metadataConnection() throws SQLException {
    return DriverManager.getConnection(config.catalogUrl(), connectionProperties(config));
  }

  public static Namespace namespace(List<String> parts) {
    return Namespace.of(parts.toArray(String[]::new));
  }

  public static TableIdentifier identifier(DatasetPath path) {
    if (path.parts().size() < 2) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT, "A dataset lives in a space: write space.name, not " + path);
    }
    return TableIdentifier.of(namespace(path.parent()), path.name());
  }

  public static DatasetPath path(TableIdentifier identifier) {
    List<String> parts = new java.util.ArrayList<>(List.of(identifier.namespace().levels()));
    parts.add(identifier.name());
    return new DatasetPath(parts);
  }

  /** Creates a space or folder and every folder above it that is missing. */
  public void createFolders(List<String> folder) {
    for (int depth = 1; depth <= folder.size(); depth++) {
      Namespace namespace = namespace(folder.subList(0, depth));
      if (!catalog.namespaceExists(namespace)) {
        try {
          catalog.createNamespace(namespace, Map.of());
        } catch (AlreadyExistsException e) {
          // created concurrently: fine
        } catch (org.apache.iceberg.jdbc.UncheckedSQLException e) {
          // a concurrent creation can also surface as the catalog table's key violation
          if (!catalog.namespaceExists(namespace)) {
            throw e;
          }
        }
      }
    }
  }

  public boolean folderExists(List<String> folder) {
    return !folder.isEmpty() && catalog.namespaceExists(namespace(folder));
  }

  /**
   * The table at a path, or null when there is none. Loaded tables are kept and refreshed on each
   * call: a refresh reads only the catalog's metadata pointer, and the metadata file only when it
   * moved, so every statement still sees the latest commit.
   */
  public Table tableOrNull(DatasetPath path) {
    if (path.parts().size() < 2) {
      return null;
    }
    TableIdentifier identifier = identifier(path);
    try {
      Table known = tables.get(identifier);
      if (known != null && refreshed(known)) {
        return known;
      }
      Table loaded = catalog.loadTable(identifier);
      if (!(loaded instanceof HasTableOperations)) {
        // Iceberg answers a missing a.b.c with the metadata table c of table a.b: a dataset path
        // names tables and folders only
        return null;
      }
      tables.put(identifier, loaded);
      return loaded;
    } catch (NoSuchTableException e) {
      tables.remove(identifier);
      return null;
    }
  }

  /**
   * Refreshes a kept table; false when the name now holds another table (dropped and created again
   * by another engine through the REST catalog), whose metadata Iceberg refuses to refresh into the
   * old table's operations (its UUID differs), so it must be loaded anew.
   */
  private static boolean refreshed(Table known) {
    try {
      known.refresh();
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  public Table table(DatasetPath path) {
    Table table = tableOrNull(path);
    if (table == null) {
      throw new DataflowException(ErrorCode.NOT_FOUND, "Table " + path + " does not exist");
    }
    return table;
  }

  public Table createTable(
      DatasetPath path, Schema schema, PartitionSpec spec, Map<String, String> properties) {
    createFolders(path.parent());
    try {
      return catalog.createTable(identifier(path), schema, spec, properties);
    } catch (AlreadyExistsException e) {
      throw new DataflowException(ErrorCode.ALREADY_EXISTS, "Dataset " + path + " already exists");
    }
  }

  public boolean dropTable(DatasetPath path) {
    if (path.parts().size() < 2) {
      return false;
    }
    tables.remove(identifier(path));
    return catalog.dropTable(identifier(path), true);
  }

  /** The view at a path, or null when there is none. */
  public View viewOrNull(DatasetPath path) {
    if (path.parts().size() < 2) {
      return null;
    }
    try {
      return catalog.loadView(identifier(path));
    } catch (NoSuchViewException e) {
      return null;
    }
  }

  public boolean dropView(DatasetPath path) {
    return path.parts().size() >= 2 && catalog.dropView(identifier(path));
  }

  @Override
  public void close() {
    catalog.close();
    warehouse.close();
    io.close();
  }
}
