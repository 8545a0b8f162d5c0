package dev.dataflow.server.iceberg;

import io.javalin.http.Context;
import io.javalin.http.Handler;
import java.util.Map;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.rest.CatalogHandlers;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.requests.CreateNamespaceRequest;
import org.apache.iceberg.rest.requests.UpdateNamespacePropertiesRequest;

/** Namespaces (Dataflow's spaces and folders): list, create, load, exists, properties, drop. */
final class NamespaceRoutes {
  private final SupportsNamespaces catalog;

  NamespaceRoutes(SupportsNamespaces catalog) {
    this.catalog = catalog;
  }

  void addTo(Map<Endpoint, Handler> routes) {
    routes.put(Endpoint.V1_LIST_NAMESPACES, this::list);
    routes.put(Endpoint.V1_CREATE_NAMESPACE, this::create);
    routes.put(Endpoint.V1_LOAD_NAMESPACE, this::load);
    routes.put(Endpoint.V1_NAMESPACE_EXISTS, this::exists);
    routes.put(Endpoint.V1_UPDATE_NAMESPACE, this::updateProperties);
    routes.put(Endpoint.V1_DELETE_NAMESPACE, this::drop);
  }

  private void list(Context ctx) {
    IcebergJson.writeList(
        ctx,
        () -> CatalogHandlers.listNamespaces(catalog, RequestPaths.parent(ctx)),
        (token, size) ->
            CatalogHandlers.listNamespaces(catalog, RequestPaths.parent(ctx), token, size));
  }

  private void create(Context ctx) {
    CreateNamespaceRequest request = IcebergJson.read(ctx, CreateNamespaceRequest.class);
    IcebergJson.write(ctx, 200, CatalogHandlers.createNamespace(catalog, request));
  }

  private void load(Context ctx) {
    IcebergJson.write(
        ctx, 200, CatalogHandlers.loadNamespace(catalog, RequestPaths.namespace(ctx)));
  }

  private void exists(Context ctx) {
    CatalogHandlers.namespaceExists(catalog, RequestPaths.namespace(ctx));
    ctx.status(204);
  }

  private void updateProperties(Context ctx) {
    UpdateNamespacePropertiesRequest request =
        IcebergJson.read(ctx, UpdateNamespacePropertiesRequest.class);
    IcebergJson.write(
        ctx,
        200,
        CatalogHandlers.updateNamespaceProperties(catalog, RequestPaths.namespace(ctx), request));
  }

  private void drop(Context ctx) {
    CatalogHandlers.dropNamespace(catalog, RequestPaths.namespace(ctx));
    ctx.status(204);
  }
}
