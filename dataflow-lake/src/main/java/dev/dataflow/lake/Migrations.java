package dev.dataflow.lake;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.ErrorCode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;

/**
 * Versioned upgrades of a lake: the schema of Dataflow's own metadata tables, kept in the catalog
 * database beside Iceberg's, and changes to the tables made before a release. Each step runs once,
 * in order; append new ones, never edit an applied one.
 */
final class Migrations {
  /** One upgrade: a statement on the catalog database, or work on the lake itself. */
  private interface Step {
    void apply(Lake lake, Statement statement) throws SQLException;
  }

  private static final List<Step> STEPS =
      List.of(
          sql(
              """
              CREATE TABLE df_jobs (
                id VARCHAR(64) PRIMARY KEY,
                principal VARCHAR(255) NOT NULL,
                sql_text TEXT NOT NULL,
                status VARCHAR(16) NOT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT,
                row_count BIGINT,
                byte_count BIGINT,
                error_code VARCHAR(32),
                error_message TEXT,
                datasets TEXT)
              """),
          sql("CREATE INDEX df_jobs_started ON df_jobs (started_at)"),
          sql(
              """
              CREATE TABLE df_pipelines (
                name VARCHAR(64) PRIMARY KEY,
                definition TEXT NOT NULL,
                source_path TEXT,
                state VARCHAR(16) NOT NULL,
                cause TEXT,
                updated_at BIGINT NOT NULL)
              """),
          sql(
              """
              CREATE TABLE df_pipeline_runs (
                id VARCHAR(64) PRIMARY KEY,
                pipeline VARCHAR(64) NOT NULL,
                started_at BIGINT NOT NULL,
                ended_at BIGINT,
                status VARCHAR(16) NOT NULL,
                rows_in BIGINT,
                rows_out BIGINT,
                rows_error BIGINT,
                bytes BIGINT,
                files INT,
                snapshot_id BIGINT,
                error TEXT)
              """),
          sql("CREATE INDEX df_pipeline_runs_pipeline ON df_pipeline_runs (pipeline, started_at)"),
          sql(
              """
              CREATE TABLE df_models (
                name VARCHAR(64) PRIMARY KEY,
                description TEXT,
                created_at BIGINT NOT NULL)
              """),
          sql(
              """
              CREATE TABLE df_model_versions (
                model VARCHAR(64) NOT NULL,
                version INT NOT NULL,
                format VARCHAR(16) NOT NULL,
                task VARCHAR(16) NOT NULL,
                features TEXT NOT NULL,
                parameters TEXT NOT NULL,
                metrics TEXT NOT NULL,
                lineage TEXT NOT NULL,
                source TEXT,
                file TEXT NOT NULL,
                description TEXT,
                principal VARCHAR(255) NOT NULL,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (model, version))
              """),
          sql(
              """
              CREATE TABLE df_model_aliases (
                model VARCHAR(64) NOT NULL,
                alias VARCHAR(64) NOT NULL,
                version INT NOT NULL,
                PRIMARY KEY (model, alias))
              """),
          sql(
              """
              CREATE TABLE df_model_deployments (
                name VARCHAR(64) PRIMARY KEY,
                target VARCHAR(140) NOT NULL,
                canary VARCHAR(140),
                canary_percent INT NOT NULL,
                updated_at BIGINT NOT NULL)
              """),
          sql(
              """
              CREATE TABLE df_dataset_notes (
                path VARCHAR(1024) PRIMARY KEY,
                description TEXT NOT NULL,
                tags TEXT NOT NULL,
                updated_at BIGINT NOT NULL,
                updated_by VARCHAR(255) NOT NULL)
              """),
          Migrations::retainMetadataFiles,
          sql(
              """
              CREATE TABLE IF NOT EXISTS df_leases (
                name VARCHAR(140) PRIMARY KEY,
                holder VARCHAR(140) NOT NULL,
                epoch BIGINT NOT NULL,
                expires_at BIGINT NOT NULL)
              """),
          sql(
              """
              CREATE TABLE IF NOT EXISTS df_workers (
                id VARCHAR(140) PRIMARY KEY,
                host VARCHAR(255) NOT NULL,
                role VARCHAR(16) NOT NULL,
                started_at BIGINT NOT NULL,
                heard_at BIGINT NOT NULL)
              """));

  private Migrations() {}

  static void apply(Lake lake) {
    try (Connection connection = lake.metadataConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE TABLE IF NOT EXISTS df_schema_version (version INT NOT NULL)");
      int applied = currentVersion(statement);
      for (int step = applied; step < STEPS.size(); step++) {
        STEPS.get(step).apply(lake, statement);
        statement.executeUpdate("DELETE FROM df_schema_version");
        statement.executeUpdate("INSERT INTO df_schema_version VALUES (" + (step + 1) + ")");
      }
    } catch (SQLException e) {
      throw new DataflowException(ErrorCode.INTERNAL, "Cannot migrate the metadata store: " + e, e);
    }
  }

  private static Step sql(String text) {
    return (lake, statement) -> statement.execute(text);
  }

  /**
   * Tables made before the lake kept only their last metadata files ({@link
   * Lake#PREVIOUS_METADATA_FILES}, a catalog default since) keep every one, and a continuous
   * pipeline writes one per commit: give them the same setting, unless a table sets its own.
   */
  private static void retainMetadataFiles(Lake lake, Statement statement) {
    // tables live in namespaces (folders), not at the root, which the catalog does not list
    for (Namespace namespace : lake.catalog().listNamespaces(Namespace.empty())) {
      retainMetadataFiles(lake, namespace);
    }
  }

  private static void retainMetadataFiles(Lake lake, Namespace namespace) {
    for (TableIdentifier identifier : lake.catalog().listTables(namespace)) {
      Table table = lake.catalog().loadTable(identifier);
      if (!table.properties().containsKey(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED)) {
        table
            .updateProperties()
            .set(TableProperties.METADATA_DELETE_AFTER_COMMIT_ENABLED, "true")
            .set(
                TableProperties.METADATA_PREVIOUS_VERSIONS_MAX,
                String.valueOf(Lake.PREVIOUS_METADATA_FILES))
            .commit();
      }
    }
    for (Namespace child : lake.catalog().listNamespaces(namespace)) {
      retainMetadataFiles(lake, child);
    }
  }

  private static int currentVersion(Statement statement) throws SQLException {
    try (ResultSet rows = statement.executeQuery("SELECT max(version) FROM df_schema_version")) {
      return rows.next() ? rows.getInt(1) : 0;
    }
  }
}
