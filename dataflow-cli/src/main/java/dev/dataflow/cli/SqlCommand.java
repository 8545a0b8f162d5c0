package dev.dataflow.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dataflow sql}: runs one statement and prints its result, or opens an interactive prompt
 * (history, multi-line input ended by {@code ;}) when no statement is given. Talks to the server's
 * public REST API only.
 */
@Command(
    name = "sql",
    description = "Run SQL against a Dataflow server; no statement opens a prompt.")
final class SqlCommand implements Callable<Integer> {
  private static final int PAGE = 5000;

  @Parameters(arity = "0..1", description = "The statement to run.")
  String statement;

  @Mixin ServerOptions server;

  @Option(
      names = "--format",
      description = "table, csv or json (default: ${DEFAULT-VALUE}).",
      defaultValue = "table")
  OutputFormat format;

  @Option(
      names = "--max-rows",
      description = "Print at most this many rows (default: ${DEFAULT-VALUE}).",
      defaultValue = "10000")
  int maxRows;

  @Override
  public Integer call() throws Exception {
    RestClient client = server.client();
    if (statement != null) {
      return run(client, statement, System.out, System.err) ? 0 : 1;
    }
    interactive(client);
    return 0;
  }

  /** Runs one statement, printing its result or error; true when it succeeded. */
  boolean run(RestClient client, String sql, PrintStream out, PrintStream err) {
    try {
      String id = client.post("/api/v1/sql", Map.of("sql", sql)).path("id").asText();
      JsonNode job = await(client, id);
      if (!"COMPLETED".equals(job.path("status").asText())) {
        err.println("Error: " + job.path("errorMessage").asText(job.path("status").asText()));
        return false;
      }
      print(client, id, job, out);
      return true;
    } catch (RestClient.ServerError e) {
      err.println("Error: " + e.getMessage());
      return false;
    }
  }

  private static JsonNode await(RestClient client, String id) throws RestClient.ServerError {
    long pause = 5;
    while (true) {
      JsonNode job = client.get("/api/v1/jobs/" + id);
      String status = job.path("status").asText();
      if (!"RUNNING".equals(status) && !"QUEUED".equals(status)) {
        return job;
      }
      sleep(pause);
      pause = Math.min(pause * 2, 200);
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted");
    }
  }

  private void print(RestClient client, String id, JsonNode job, PrintStream out) {
    List<String> columns = new ArrayList<>();
    List<List<JsonNode>> rows = new ArrayList<>();
    long total = fetch(client, id, columns, rows);
    if (columns.isEmpty()) {
      out.println(
          "OK"
              + (job.path("rows").asLong(0) > 0 ? ", " + job.path("rows").asLong() + " rows" : ""));
      return;
    }
    format.printer().print(columns, rows, out);
    if (total > rows.size()) {
      out.printf("(%d of %d rows shown; raise --max-rows to see more)%n", rows.size(), total);
    }
  }

  /** Pages through a job's result up to --max-rows; returns the total row count. */
  private long fetch(
      RestClient client, String id, List<String> columns, List<List<JsonNode>> rows) {
    long offset = 0;
    long total;
    do {
      JsonNode page;
      try {
        page =
            client.get(
                "/api/v1/jobs/"
                    + id
                    + "/results?offset="
                    + offset
                    + "&limit="
                    + Math.min(PAGE, maxRows - rows.size()));
      } catch (RestClient.ServerError e) {
        if (e.status == 400 || e.status == 404 || e.status == 409) {
          return 0; // a statement without a result set
        }
        throw e;
      }
      if (columns.isEmpty()) {
        page.path("columns").forEach(c -> columns.add(c.path("name").asText()));
      }
      for (JsonNode row : page.path("rows")) {
        List<JsonNode> values = new ArrayList<>();
        row.forEach(values::add);
        rows.add(values);
      }
      total = page.path("totalRows").asLong(rows.size());
      offset = rows.size();
      if (page.path("rows").isEmpty()) {
        break;
      }
    } while (offset < total && rows.size() < maxRows);
    return total;
  }

  private void interactive(RestClient client) throws Exception {
    try (Terminal terminal = TerminalBuilder.builder().system(true).build()) {
      LineReader reader =
          LineReaderBuilder.builder()
              .terminal(terminal)
              .variable(
                  LineReader.HISTORY_FILE,
                  Path.of(System.getProperty("user.home"), ".dataflow_history"))
              .build();
      PrintStream out = new PrintStream(terminal.output(), true);
      out.println("Dataflow SQL at " + server.url + ". End statements with ';'. \\q quits.");
      StringBuilder buffer = new StringBuilder();
      while (true) {
        String line;
        try {
          line = reader.readLine(buffer.length() == 0 ? "dataflow> " : "       -> ");
        } catch (UserInterruptException e) {
          buffer.setLength(0);
          continue;
        } catch (EndOfFileException e) {
          return;
        }
        if (buffer.length() == 0
            && (line.trim().equals("\\q")
                || line.trim().equalsIgnoreCase("exit")
                || line.trim().equalsIgnoreCase("quit"))) {
          return;
        }
        buffer.append(line).append('\n');
        if (line.trim().endsWith(";")) {
          run(client, buffer.toString().trim(), out, out);
          buffer.setLength(0);
        }
      }
    }
  }
}
