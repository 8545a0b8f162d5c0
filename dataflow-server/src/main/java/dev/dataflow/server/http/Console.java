package dev.dataflow.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;

/**
 * The web console: static files from the classpath ({@code /console}) at {@code /}, and its
 * libraries as WebJars at {@code /webjars}. It talks to the server only through the public REST
 * API, so it needs nothing here but its files.
 */
final class Console {
  private Console() {}

  static void serve(JavalinConfig config) {
    config.staticFiles.add("/console", Location.CLASSPATH);
    config.staticFiles.enableWebjars();
  }

  /** Whether a request path is one of the console's files rather than the API or metrics. */
  static boolean isAsset(String path) {
    return !path.startsWith(HttpApi.BASE + "/") && !path.equals("/metrics");
  }
}
