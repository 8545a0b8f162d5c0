package dev.dataflow.server.iceberg;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.RESTCatalogProperties.SnapshotMode;
import org.apache.iceberg.rest.requests.CreateTableRequest;
import org.apache.iceberg.rest.requests.RegisterTableRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;
import org.apache.iceberg.rest.responses.LoadTableResponse;

/**
 * Tables: list, create (staged too), load, exists, commit, rename, drop, register. A commit goes
 * through {@link CatalogHandlers#updateTable}, which checks the request's requirements against the
 * table's current metadata and fails with {@code CommitFailedException} (409) when another writer
 * moved it, so a stale commit is refused, never applied over the newer one.
 */
final class TableRoutes {
  private final JdbcCatalog catalog;
  private final StorageCredentials credentials;

  TableRoutes(JdbcCatalog catalog, StorageCredentials credentials) {
    this.catalog = catalog;
    this.credentials = credentials;
  }

  void addTo(Map<Endpoint, Handler> routes) {
    routes.put(Endpoint.V1_LIST_TABLES, this::list);
    routes.put(Endpoint.V1_CREATE_TABLE, this::create);
    routes.put(Endpoint.V1_LOAD_TABLE, this::load);
    routes.put(Endpoint.V1_TABLE_EXISTS, this::exists);
    routes.put(Endpoint.V1_UPDATE_TABLE, this::commit);
    routes.put(Endpoint.V1_RENAME_TABLE, this::rename);
    routes.put(Endpoint.V1_DELETE_TABLE, this::drop);
    routes.put(Endpoint.V1_REGISTER_TABLE, this::register);
  }

  private void list(Context ctx) {
    IcebergJson.writeList(
        ctx,
        () -> CatalogHandlers.listTables(catalog, RequestPaths.namespace(ctx)),
        (token, size) ->
            CatalogHandlers.listTables(catalog, RequestPaths.namespace(ctx), token, size));
  }

  private void create(Context ctx) {
    CreateTableRequest request = IcebergJson.read(ctx, CreateTableRequest.class);
    Namespace namespace = RequestPaths.existingNamespace(ctx, catalog);
    answer(
        ctx,
        request.stageCreate()
            ? CatalogHandlers.stageTableCreate(catalog, namespace, request)
            : CatalogHandlers.createTable(catalog, namespace, request));
  }

  private void load(Context ctx) {
    String snapshots = ctx.queryParam(RESTCatalogProperties.SNAPSHOTS_QUERY_PARAMETER);
    SnapshotMode mode =
        snapshots == null
            ? SnapshotMode.ALL
            : SnapshotMode.valueOf(snapshots.toUpperCase(Locale.ROOT));
    answer(ctx, CatalogHandlers.loadTable(catalog, RequestPaths.identifier(ctx), mode));
  }

  private void exists(Context ctx) {
    CatalogHandlers.tableExists(catalog, RequestPaths.identifier(ctx));
    ctx.status(204);
  }

  private void commit(Context ctx) {
    UpdateTableRequest request = IcebergJson.read(ctx, UpdateTableRequest.class);
    answer(ctx, CatalogHandlers.updateTable(catalog, RequestPaths.identifier(ctx), request));
  }

  private void rename(Context ctx) {
    CatalogHandlers.renameTable(catalog, IcebergJson.read(ctx, RenameTableRequest.class));
    ctx.status(204);
  }

  private void drop(Context ctx) {
    if (Boolean.parseBoolean(ctx.queryParam("purgeRequested"))) {
      CatalogHandlers.purgeTable(catalog, RequestPaths.identifier(ctx));
    } else {
      CatalogHandlers.dropTable(catalog, RequestPaths.identifier(ctx));
    }
    ctx.status(204);
  }

  private void register(Context ctx) {
    RegisterTableRequest request = IcebergJson.read(ctx, RegisterTableRequest.class);
    answer(
        ctx,
        CatalogHandlers.registerTable(
            catalog, RequestPaths.existingNamespace(ctx, catalog), request));
  }

  /**
   * Every table a client creates, loads or commits is answered here: the one place where storage
   * settings join the response. A local warehouse needs none, the client opens the metadata's paths
   * itself; an S3 warehouse gives the store's endpoint and credentials, for the table's location
   * only, to a client that asks with {@code X-Iceberg-Access-Delegation: vended-credentials}.
   */
  private void answer(Context ctx, LoadTableResponse response) {
    String delegation = ctx.header(StorageCredentials.DELEGATION_HEADER);
    IcebergJson.write(
        ctx,
        200,
        credentials.vend(delegation, response.tableMetadata().location())
            ? LoadTableResponse.builder()
                .withTableMetadata(response.tableMetadata())
                .addAllConfig(response.config())
                .addCredential(credentials.credential(response.tableMetadata().location()))
                .build()
            : response);
  }
}
