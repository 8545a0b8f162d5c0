package dev.dataflow.server.iceberg;

import io.javalin.http.Context;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.NoSuchNamespaceException;
import org.apache.iceberg.rest.RESTCatalogProperties;
import org.apache.iceberg.rest.RESTUtil;

/**
 * Names in a request's path, decoded as Iceberg's client encodes them: from the raw path, not from
 * the router's decoded parameters, because the client writes a space as {@code +} and joins
 * namespace levels with {@code %1F}, which a second decoding would corrupt.
 */
final class RequestPaths {
  // /iceberg/v1/namespaces/{namespace}/(tables|views)/{name}
  private static final int NAMESPACE = 4;
  private static final int NAME = 6;

  private RequestPaths() {}

  static Namespace namespace(Context ctx) {
    return RESTUtil.decodeNamespace(
        segment(ctx, NAMESPACE), RESTCatalogProperties.NAMESPACE_SEPARATOR_DEFAULT);
  }

  /**
   * The path's namespace, which must exist, as the spec asks before a table or view is created or
   * registered in it; the lake's JdbcCatalog alone would let a table make its namespace exist.
   */
  static Namespace existingNamespace(Context ctx, SupportsNamespaces catalog) {
    Namespace namespace = namespace(ctx);
    if (!catalog.namespaceExists(namespace)) {
      throw new NoSuchNamespaceException("Namespace does not exist: %s", namespace);
    }
    return namespace;
  }

  /** The table or view the path names. */
  static TableIdentifier identifier(Context ctx) {
    return TableIdentifier.of(namespace(ctx), RESTUtil.decodeString(segment(ctx, NAME)));
  }

  /** The {@code parent} query parameter of a namespace listing, the empty namespace without. */
  static Namespace parent(Context ctx) {
    String parent = ctx.queryParam("parent");
    return parent == null || parent.isEmpty()
        ? Namespace.empty()
        : RESTUtil.namespaceFromQueryParam(parent);
  }

  private static String segment(Context ctx, int index) {
    return ctx.req().getRequestURI().split("/", -1)[index];
  }
}
