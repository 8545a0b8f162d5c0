package dev.dataflow.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.catalog.CatalogBrowser;
import dev.dataflow.sql.catalog.DatasetNotes;
import io.javalin.http.Context;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code /catalog}, {@code /views} and {@code /folders}: browsing the semantic layer and changing
 * it. View changes run as SQL statements, so they are jobs and are checked as any statement is.
 */
final class CatalogApi {
  /** What a view change answers: the job that made it, and the view. */
  record ViewChange(String id, String path) {}

  record FolderChange(String type, String path) {}

  private static final String NOTES_BODY =
      "The body must be a JSON object like {\"description\": \"Orders since 2020\", \"tags\":"
          + " [\"sales\"]}";

  private final Lake lake;
  private final CatalogBrowser browser;
  private final JobRunner runner;
  private final DatasetNotes notes;

  CatalogApi(Lake lake, CatalogBrowser browser, JobRunner runner, DatasetNotes notes) {
    this.lake = lake;
    this.browser = browser;
    this.runner = runner;
    this.notes = notes;
  }

  void root(Context ctx) {
    ctx.json(browser.root());
  }

  void entry(Context ctx) {
    ctx.json(browser.entry(Requests.path(ctx)));
  }

  void snapshots(Context ctx) {
    ctx.json(browser.snapshots(Requests.path(ctx)));
  }

  void lineage(Context ctx) {
    ctx.json(browser.lineage(Requests.path(ctx)));
  }

  void notes(Context ctx) {
    ctx.json(notes.find(dataset(ctx)));
  }

  /** The body is {@code {"description": "…", "tags": ["…"]}}; both replace what was there. */
  void putNotes(Context ctx) {
    DatasetPath path = dataset(ctx);
    JsonNode body = Requests.body(ctx, NOTES_BODY);
    JsonNode description = body.path("description");
    JsonNode tags = body.path("tags");
    if (!description.isTextual() || !tags.isArray()) {
      throw new DataflowException(ErrorCode.INVALID_ARGUMENT, NOTES_BODY);
    }
    List<String> values = new ArrayList<>();
    for (JsonNode tag : tags) {
      if (!tag.isTextual()) {
        throw new DataflowException(ErrorCode.INVALID_ARGUMENT, NOTES_BODY);
      }
      values.add(tag.asText());
    }
    ctx.json(notes.save(path, description.asText(), values, Requests.principal(ctx).name()));
  }

  /** The table or view at the request's path, as the catalog spells it. */
  private DatasetPath dataset(Context ctx) {
    CatalogBrowser.Entry entry = browser.entry(Requests.path(ctx));
    if (entry instanceof CatalogBrowser.Folder) {
      throw new DataflowException(
          ErrorCode.INVALID_ARGUMENT,
          entry.path()
              + " is a "
              + entry.type().toLowerCase()
              + ": only tables and views have notes");
    }
    return DatasetPath.parse(entry.path());
  }

  void putView(Context ctx) {
    DatasetPath path = Requests.path(ctx);
    String query = Requests.sql(ctx);
    boolean exists = lake.viewOrNull(path) != null;
    // the query starts on a line of its own, so positions in errors map back by one line
    String statement = "CREATE OR REPLACE VIEW " + path + " AS\n" + query;
    String id;
    try {
      id = runner.submit(Requests.principal(ctx).name(), statement);
    } catch (DataflowException e) {
      throw inQuery(e);
    }
    ctx.status(exists ? 200 : 201)
        .header("Location", HttpApi.catalogUrl(path))
        .json(new ViewChange(id, path.toString()));
  }

  /**
   * An error positioned in the composed statement, positioned in the query as the client sent it.
   */
  private static DataflowException inQuery(DataflowException e) {
    if (e.line() == 0) {
      return e;
    }
    int line = Math.max(0, e.line() - 1);
    return new DataflowException(e.code(), e.getMessage(), line, line == 0 ? 0 : e.column(), e);
  }

  void deleteView(Context ctx) {
    DatasetPath path = Requests.path(ctx);
    if (lake.viewOrNull(path) == null) {
      throw lake.tableOrNull(path) != null
          ? new DataflowException(
              ErrorCode.INVALID_ARGUMENT,
              path + " is a table, not a view: drop it with DROP TABLE " + path)
          : new DataflowException(ErrorCode.NOT_FOUND, "View " + path + " does not exist");
    }
    runner.submit(Requests.principal(ctx).name(), "DROP VIEW " + path);
    ctx.status(204);
  }

  void createFolder(Context ctx) {
    DatasetPath path = Requests.path(ctx);
    if (lake.tableOrNull(path) != null || lake.viewOrNull(path) != null) {
      throw new DataflowException(ErrorCode.ALREADY_EXISTS, "A dataset already exists at " + path);
    }
    boolean exists = lake.folderExists(path.parts());
    lake.createFolders(path.parts());
    String type = path.parts().size() == 1 ? CatalogBrowser.SPACE : CatalogBrowser.FOLDER;
    ctx.status(exists ? 200 : 201)
        .header("Location", HttpApi.catalogUrl(path))
        .json(new FolderChange(type, path.toString()));
  }
}
