package dev.dataflow.server.iceberg;

import static java.util.Objects.requireNonNull;

import dev.dataflow.lake.Lake;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Handler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.iceberg.jdbc.JdbcCatalog;
import org.apache.iceberg.rest.Endpoint;
import org.apache.iceberg.rest.responses.ConfigResponse;

/**
 * The Iceberg REST catalog, served under {@code /iceberg} over the lake's own catalog, so Spark,
 * Trino and any Iceberg client (catalog {@code uri=http://HOST:PORT/iceberg}) read and write the
 * tables and views Dataflow does. Requests are authenticated before they get here, as every other
 * route is; Iceberg's {@code CatalogHandlers} do the catalog work, this package only routes and
 * answers. Every route is listed once, with its {@link Endpoint}: {@code /v1/config} advertises
 * exactly the endpoints served.
 */
public final class IcebergCatalog {
  public static final String BASE = "/iceberg";

  private IcebergCatalog() {}

  /** Whether a request path belongs to the REST catalog (and so gets its error bodies). */
  public static boolean owns(String path) {
    return path.equals(BASE) || path.startsWith(BASE + "/");
  }

  public static void serve(JavalinConfig config, Lake lake) {
    requireNonNull(config, "config is null");
    requireNonNull(lake, "lake is null");
    JdbcCatalog catalog = lake.catalog();
    Map<Endpoint, Handler> routes = new LinkedHashMap<>();
    new NamespaceRoutes(catalog).addTo(routes);
    new TableRoutes(catalog, new StorageCredentials(lake.config())).addTo(routes);
    new ViewRoutes(catalog).addTo(routes);
    ConfigResponse served =
        ConfigResponse.builder().withEndpoints(List.copyOf(routes.keySet())).build();
    config.routes.get(BASE + "/v1/config", ctx -> IcebergJson.write(ctx, 200, served));
    routes.forEach((endpoint, handler) -> add(config, endpoint, handler));
  }

  private static void add(JavalinConfig config, Endpoint endpoint, Handler handler) {
    // served without a prefix: the config names none, so clients send /v1/namespaces/...
    String path = BASE + endpoint.path().replace("/{prefix}", "");
    switch (endpoint.httpMethod()) {
      case "GET" -> config.routes.get(path, handler);
      case "HEAD" -> config.routes.head(path, handler);
      case "POST" -> config.routes.post(path, handler);
      case "DELETE" -> config.routes.delete(path, handler);
      default -> throw new IllegalArgumentException("No route for the method of " + endpoint);
    }
  }
}
