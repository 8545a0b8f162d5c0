// The results grid: Tabulator with a virtual DOM, so only the rows in view are drawn; sort by a
// header click, drag a header edge to set a column's width.
import {TabulatorFull as Tabulator} from "/webjars/tabulator-tables/6.3.1/dist/js/tabulator_esm.min.js";
import * as jobs from "./jobs.js";

/** Rows loaded into the browser at most; the rest are a download away. */
export const MAX_ROWS = 500_000;

/** Fields are c0, c1…: column names may hold dots, which Tabulator reads as nesting. */
function definitions(columns) {
  return columns.map((column, i) => ({
    title: column.name,
    field: `c${i}`,
    headerTooltip: column.type,
    sorter: numeric(column.type) ? "number" : "string",
    hozAlign: numeric(column.type) ? "right" : "left",
    formatter: (cell) => display(cell.getValue()),
  }));
}

export function numeric(type) {
  return /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|REAL|DECIMAL)/.test(type || "");
}

function display(value) {
  if (value === null || value === undefined) return "<span class='null'>NULL</span>";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/[&<>]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;"})[c]);
}

function objects(rows) {
  return rows.map((row) => {
    const object = {};
    for (let i = 0; i < row.length; i++) object[`c${i}`] = row[i];
    return object;
  });
}

/** A grid over a fixed set of rows (a preview, error records). */
export function staticGrid(element, columns, rows, height = "320px") {
  return new Tabulator(element, {
    height,
    layout: "fitDataFill",
    columns: definitions(columns),
    data: objects(rows),
    placeholder: "No rows",
  });
}

/**
 * Shows a finished job's rows: the first page at once, the rest fetched page by page and handed to
 * the grid in one go (Tabulator redraws on every data change, so many small additions cost more
 * than one large one). onProgress(fetched, total, done) follows; returns {grid, rows, done}.
 */
export function resultGrid(element, jobId, firstPage, onProgress) {
  const rows = firstPage.rows.slice();
  const grid = new Tabulator(element, {
    // a fixed height: without one the table grows to fit every row and nothing is virtual
    height: "460px",
    layout: "fitDataFill",
    renderVertical: "virtual",
    columns: definitions(firstPage.columns),
    data: objects(firstPage.rows),
    placeholder: "The query returned no rows",
  });
  const built = new Promise((resolve) => grid.on("tableBuilt", resolve));
  const state = {grid, rows, columns: firstPage.columns, total: firstPage.totalRows, stopped: false};
  state.done = (async () => {
    await built;
    const limit = Math.min(state.total, MAX_ROWS);
    onProgress(rows.length, state.total, rows.length >= limit);
    while (rows.length < limit && !state.stopped) {
      const next = await jobs.page(jobId, rows.length, Math.min(jobs.PAGE, limit - rows.length));
      if (next.rows.length === 0 || state.stopped) break;
      rows.push(...next.rows);
      onProgress(rows.length, state.total, false);
    }
    if (state.stopped) return;
    if (rows.length > firstPage.rows.length) await grid.replaceData(objects(rows));
    onProgress(rows.length, state.total, true);
  })();
  return state;
}
