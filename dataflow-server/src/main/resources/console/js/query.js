// The query page: a SQL editor (CodeMirror: highlighting, completion of datasets and columns),
// run with Ctrl+Enter and cancel, results in a virtual grid, a chart, downloads, save as view.
import {api} from "./api.js";
import * as catalog from "./catalog.js";
import {chartPanel} from "./chart.js";
import {el, formatDuration, formatNumber, segment, tabs} from "./dom.js";
import {download} from "./download.js";
import {clearBanner, showError, showNotice} from "./errors.js";
import {resultGrid} from "./grid.js";
import * as jobs from "./jobs.js";

let page = null;

/** Opens the query page with this SQL in the editor. */
export function openInEditor(sql) {
  build().editor.setValue(sql);
  location.hash = "#/query";
}

export function queryPage(main) {
  const current = build();
  main.replaceChildren(current.node);
  current.editor.refresh();
  current.editor.focus();
  catalog.completionTables().then((tables) =>
    current.editor.setOption("hintOptions", {tables, completeSingle: false}), showError);
  return () => {};
}

function build() {
  if (page) return page;
  const textarea = el("textarea", {id: "sql"}, "SELECT * FROM tpch.nation");
  const status = el("span", {id: "query-status", class: "muted"}, "Ctrl+Enter runs the statement (or the selection)");
  const runButton = el("button", {id: "run", class: "primary", onclick: () => run()}, "Run");
  const cancelButton = el("button", {id: "cancel", disabled: true, onclick: () => cancel()}, "Cancel");
  const csv = el("button", {id: "download-csv", disabled: true, onclick: () => save("csv")}, "Download CSV");
  const parquet = el("button", {id: "download-parquet", disabled: true, onclick: () => save("parquet")}, "Download Parquet");
  const viewPath = el("input", {id: "view-path", placeholder: "space.view_name", size: 22});
  const saveView = el("button", {id: "save-view", onclick: () => saveAsView()}, "Save as view");
  const results = el("div", {id: "results", class: "results"});
  const resultTabs = tabs([
    {id: "results", title: "Results", render: (panel) => panel.append(results)},
    {id: "chart", title: "Chart", render: () => {}, shown: (panel) => drawChart(panel)},
  ]);
  const node = el("div", {class: "page query-page"},
    el("div", {class: "toolbar"}, runButton, cancelButton, status),
    el("div", {class: "editor"}, textarea),
    el("div", {class: "toolbar"}, csv, parquet, el("span", {class: "spacer"}), viewPath, saveView),
    resultTabs.node);
  const editor = CodeMirror.fromTextArea(textarea, {
    mode: "text/x-sql",
    lineNumbers: true,
    indentWithTabs: false,
    extraKeys: {"Ctrl-Enter": () => run(), "Cmd-Enter": () => run(), "Ctrl-Space": "autocomplete"},
  });
  editor.on("inputRead", (cm, change) => {
    if (change.text[0] === ".") cm.showHint({completeSingle: false});
  });
  page = {node, editor, status, runButton, cancelButton, csv, parquet, viewPath, results, resultTabs,
    jobId: null, running: false, result: null, disposeChart: () => {}, mark: null};
  return page;
}

async function run() {
  if (page.running) return;
  const sql = page.editor.somethingSelected() ? page.editor.getSelection() : page.editor.getValue();
  clearBanner();
  unmark();
  running(true);
  page.jobId = null;
  const started = performance.now();
  page.status.textContent = "Running…";
  try {
    page.jobId = await jobs.submit(sql);
    page.cancelButton.disabled = false;
    await jobs.finished(page.jobId, {
      onWait: (job) => {
        page.status.textContent = job.status === "QUEUED"
          ? `Queued: ${job.queuePlace ? `place ${job.queuePlace}` : "waiting"} for a free slot…`
          : "Running…";
      },
    });
    const ran = performance.now() - started;
    const first = await jobs.page(page.jobId, 0, jobs.PAGE);
    page.resultTabs.show("results");
    const state = resultGrid(page.results, page.jobId, first, (fetched, total, done) => {
      const progress = !done ? ` · ${formatNumber(fetched)} fetched…`
        : fetched < total ? ` · first ${formatNumber(fetched)} shown (download for all)` : " · all loaded";
      page.status.textContent = `${formatNumber(total)} rows · ran in ${formatDuration(ran)}${progress}` +
        ` · shown after ${formatDuration(performance.now() - started)} · job ${page.jobId}`;
    });
    page.result = state;
    page.csv.disabled = page.parquet.disabled = false;
    await state.done;
  } catch (e) {
    page.status.textContent = e.code === "CANCELLED" ? "Cancelled" : "Failed";
    markError(e);
    (e.code === "CANCELLED" ? showNotice : showError)(e.code === "CANCELLED" ? "The query was cancelled." : e);
  } finally {
    running(false);
  }
}

function running(on) {
  page.running = on;
  page.runButton.disabled = on;
  // cancelling needs the job's id, known once the server has started it
  page.cancelButton.disabled = true;
  if (on && page.result) {
    // the previous result goes: a failed run must not leave rows or a chart that look like its own
    page.result.stopped = true;
    page.result.grid.destroy();
    page.result = null;
    page.disposeChart();
    page.disposeChart = () => {};
    page.csv.disabled = page.parquet.disabled = true;
  }
}

async function cancel() {
  if (!page.jobId) return;
  page.status.textContent = "Cancelling…";
  try {
    await jobs.cancel(page.jobId);
  } catch (e) {
    showError(e);
  }
}

/** Underlines the line an SQL error points at. */
function markError(error) {
  if (!error.line) return;
  const line = error.line - 1;
  page.mark = page.editor.addLineClass(line, "background", "error-line");
  page.editor.setCursor({line, ch: Math.max(0, (error.column || 1) - 1)});
}

function unmark() {
  if (page.mark) page.editor.removeLineClass(page.mark, "background", "error-line");
  page.mark = null;
}

function drawChart(panel) {
  page.disposeChart();
  page.disposeChart = page.result
    ? chartPanel(panel, page.result)
    : (panel.replaceChildren(el("p", {class: "muted"}, "Run a query to chart its result.")), () => {});
}

async function save(format) {
  try {
    await download(page.jobId, format);
  } catch (e) {
    showError(e);
  }
}

async function saveAsView() {
  const path = page.viewPath.value.trim();
  if (!path) {
    showError("Name the view first, as space.name (for example lab.top_customers).");
    return;
  }
  try {
    const change = await api(`/views/${segment(path)}`, {method: "PUT", body: {sql: page.editor.getValue()}});
    showNotice(`Saved view ${change.path}.`);
    catalog.refresh();
  } catch (e) {
    markError(e);
    showError(e);
  }
}
