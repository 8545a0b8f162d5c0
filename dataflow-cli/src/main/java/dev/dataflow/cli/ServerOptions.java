package dev.dataflow.cli;

import picocli.CommandLine.Option;

/** The options every command that talks to a server takes: where it is and who asks. */
final class ServerOptions {
  @Option(
      names = "--server",
      description = "Server URL (default: $DATAFLOW_SERVER or ${DEFAULT-VALUE}).",
      defaultValue = "${env:DATAFLOW_SERVER:-http://127.0.0.1:9047}")
  String url;

  @Option(
      names = "--user",
      description = "User (default: ${DEFAULT-VALUE}).",
      defaultValue = "admin")
  String user;

  /** A client of the server; the password comes from the environment so it never shows in `ps`. */
  RestClient client() {
    return new RestClient(url, user, System.getenv("DATAFLOW_PASSWORD"));
  }
}
