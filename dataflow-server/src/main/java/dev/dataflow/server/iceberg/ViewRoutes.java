package dev.dataflow.server.iceberg;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.requests.CreateViewRequest;
import org.apache.iceberg.rest.requests.RegisterViewRequest;
import org.apache.iceberg.rest.requests.RenameTableRequest;
import org.apache.iceberg.rest.requests.UpdateTableRequest;

/**
 * Views (Dataflow's virtual datasets are Iceberg views): list, create, load, exists, replace (a
 * commit, with the same requirement checks as a table's), rename, drop.
 */
final class ViewRoutes {
  private final JdbcCatalog catalog;

  ViewRoutes(JdbcCatalog catalog) {
    this.catalog = catalog;
  }

  void addTo(Map<Endpoint, Handler> routes) {
    routes.put(Endpoint.V1_LIST_VIEWS, this::list);
    routes.put(Endpoint.V1_CREATE_VIEW, this::create);
    routes.put(Endpoint.V1_LOAD_VIEW, this::load);
    routes.put(Endpoint.V1_VIEW_EXISTS, this::exists);
    routes.put(Endpoint.V1_UPDATE_VIEW, this::commit);
    routes.put(Endpoint.V1_RENAME_VIEW, this::rename);
    routes.put(Endpoint.V1_DELETE_VIEW, this::drop);
    routes.put(Endpoint.V1_REGISTER_VIEW, this::register);
  }

  private void list(Context ctx) {
    IcebergJson.writeList(
        ctx,
        () -> CatalogHandlers.listViews(catalog, RequestPaths.namespace(ctx)),
        (token, size) ->
            CatalogHandlers.listViews(catalog, RequestPaths.namespace(ctx), token, size));
  }

  private void create(Context ctx) {
    CreateViewRequest request = IcebergJson.read(ctx, CreateViewRequest.class);
    IcebergJson.write(
        ctx,
        200,
        CatalogHandlers.createView(catalog, RequestPaths.existingNamespace(ctx, catalog), request));
  }

  private void load(Context ctx) {
    IcebergJson.write(ctx, 200, CatalogHandlers.loadView(catalog, RequestPaths.identifier(ctx)));
  }

  private void exists(Context ctx) {
    CatalogHandlers.viewExists(catalog, RequestPaths.identifier(ctx));
    ctx.status(204);
  }

  private void commit(Context ctx) {
    UpdateTableRequest request = IcebergJson.read(ctx, UpdateTableRequest.class);
    IcebergJson.write(
        ctx, 200, CatalogHandlers.updateView(catalog, RequestPaths.identifier(ctx), request));
  }

  private void rename(Context ctx) {
    CatalogHandlers.renameView(catalog, IcebergJson.read(ctx, RenameTableRequest.class));
    ctx.status(204);
  }

  private void drop(Context ctx) {
    CatalogHandlers.dropView(catalog, RequestPaths.identifier(ctx));
    ctx.status(204);
  }

  private void register(Context ctx) {
    RegisterViewRequest request = IcebergJson.read(ctx, RegisterViewRequest.class);
    IcebergJson.write(
        ctx,
        200,
        CatalogHandlers.registerView(
            catalog, RequestPaths.existingNamespace(ctx, catalog), request));
  }
}
