package dev.dataflow.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.List;

/**
 * The web console: static files from the classpath ({@code /console}) at {@code /}, and its
 * libraries as WebJars at {@code /webjars}. It talks to the server only through the public REST
 * API, so it needs nothing here but its files.
 */
final class Console {
  private static final List<String> ASSET_FOLDERS = List.of("/css/", "/js/", "/webjars/");

  private Console() {}

  static void serve(JavalinConfig config) {
    config.staticFiles.add("/console", Location.CLASSPATH);
    config.staticFiles.enableWebjars();
  }

  /**
   * Whether a request path is one of the console's files. Named, not "anything but the API": every
   * other path (REST, inference under /v2, metrics, whatever comes next) stays authenticated.
   */
  static boolean isAsset(String path) {
    if (path.contains("..")) {
      return false;
    }
    return path.equals("/")
        || path.equals("/index.html")
        || path.equals("/favicon.ico")
        || ASSET_FOLDERS.stream().anyMatch(path::startsWith);
  }
}
