package dev.dataflow.server.http;

import io.javalin.config.JavalinConfig;
import io.javalin.http.staticfiles.Location;
import java.util.List;
import java.util.Set;

/**
 * The web console: static files from the classpath ({@code /console}) at {@code /}, and its
 * libraries as WebJars at {@code /webjars}. It talks to the server only through the public REST
 * API, so it needs nothing here but its files.
 */
final class Console {
  private static final Set<String> PAGES = Set.of("/", "/index.html");
  private static final List<String> FOLDERS = List.of("/js/", "/css/", "/webjars/");

  private Console() {}

  static void serve(JavalinConfig config) {
    config.staticFiles.add("/console", Location.CLASSPATH);
    config.staticFiles.enableWebjars();
  }

  /**
   * Whether a request path is one of the console's files. Named positively: a rule of "whatever is
   * not the API" let the V2 inference routes under /v2 through without credentials.
   */
  static boolean isAsset(String path) {
    if (path.contains("..")) {
      return false; // never a file of ours, whatever the router makes of it
    }
    return PAGES.contains(path) || FOLDERS.stream().anyMatch(path::startsWith);
  }
}
