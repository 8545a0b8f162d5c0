package dev.dataflow.server.http;

import dev.dataflow.api.DataflowException;
import dev.dataflow.api.DatasetPath;
import dev.dataflow.api.ErrorCode;
import dev.dataflow.lake.Lake;
import dev.dataflow.sql.catalog.CatalogBrowser;
import io.javalin.http.Context;

/**
 * {@code /catalog}, {@code /views} and {@code /folders}: browsing the semantic layer and changing
 * it. View changes run as SQL statements, so they are jobs and are checked as any statement is.
 */
final class CatalogApi {
  /** What a view change answers: the job that made it, and the view. */
  record ViewChange(String id, String path) {}

  record FolderChange(String type, String path) {}

  private final Lake lake;
  private final CatalogBrowser browser;
  private final JobRunner runner;

  CatalogApi(Lake lake, CatalogBrowser browser, JobRunner runner) {
    this.lake = lake;
    this.browser = browser;
    this.runner = runner;
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
