package dev.dataflow.server.auth;

import static java.util.Objects.requireNonNull;

/** Who is making a request; every access path resolves one before it touches data. */
public record Principal(String name) {
  public Principal {
    requireNonNull(name, "name is null");
  }
}
