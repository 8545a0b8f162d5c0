package dev.dataflow.cli;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;

/** The {@code /api/v1/pipelines} resources, so commands never build URLs themselves. */
final class PipelineClient {
  private static final String BASE = "/api/v1/pipelines";

  private final RestClient rest;

  PipelineClient(RestClient rest) {
    this.rest = requireNonNull(rest, "rest is null");
  }

  /** Every pipeline's status. */
  JsonNode list() {
    return rest.get(BASE);
  }

  /** Stores a definition; relative paths in it resolve on the server against {@code base}. */
  JsonNode apply(String name, Path base, String yaml) {
    String query = "?base=" + RestClient.encode(base.toAbsolutePath().normalize().toString());
    return rest.put(path(name) + query, yaml, "application/yaml");
  }

  /** {@code {"status": PipelineStatus, "definition": yaml}}. */
  JsonNode show(String name) {
    return rest.get(path(name));
  }

  JsonNode start(String name) {
    return rest.post(path(name) + "/start");
  }

  JsonNode stop(String name) {
    return rest.post(path(name) + "/stop");
  }

  JsonNode runs(String name, int limit) {
    return rest.get(path(name) + "/runs?limit=" + limit);
  }

  JsonNode preview(String name, int limit) {
    return rest.post(path(name) + "/preview?limit=" + limit);
  }

  JsonNode errors(String name, int limit) {
    return rest.get(path(name) + "/errors?limit=" + limit);
  }

  void delete(String name) {
    rest.delete(path(name));
  }

  private static String path(String name) {
    return BASE + "/" + RestClient.encode(name);
  }
}
