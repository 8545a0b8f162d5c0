// One pipeline: start/stop, its stages in order, live metrics charts, runs, error records with
// their reasons, a preview, and its YAML definition.
import {api} from "./api.js";
import {el, formatDuration, formatNumber, formatTime, section, table, tabs} from "./dom.js";
import {showError, showNotice} from "./errors.js";
import {staticGrid} from "./grid.js";
import {counts} from "./pipelines.js";

/** Seconds of live metrics kept in the charts. */
const WINDOW = 300;

export function pipelinePage(main, name) {
  const url = `/pipelines/${encodeURIComponent(name)}`;
  const state = el("span", {class: "badge", id: "pipeline-state"});
  const counters = el("div", {class: "counters", id: "pipeline-counts"});
  const stages = el("div", {class: "stages", id: "stages"});
  const charts = el("div", {class: "chart", id: "pipeline-chart"});
  const definition = el("pre", {class: "sql", id: "definition"});
  const cause = el("p", {class: "error-text", id: "pipeline-cause"});
  const act = (verb) => api(`${url}/${verb}`, {method: "POST"})
    .then((s) => { showStatus(s); showNotice(`Pipeline ${name}: ${verb} requested.`); }, showError);
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {}, name, state),
    el("div", {class: "toolbar"},
      el("button", {id: "pipeline-start", class: "primary", onclick: () => act("start")}, "Start"),
      el("button", {id: "pipeline-stop", onclick: () => act("stop")}, "Stop")),
    cause, counters, section("Stages", stages),
    tabs([
      {id: "metrics", title: "Live metrics", render: (panel) => panel.append(charts)},
      {id: "runs", title: "Runs", render: (panel) => runs(panel, url)},
      {id: "errors", title: "Error records", render: (panel) => errors(panel, url)},
      {id: "preview", title: "Preview", render: (panel) => preview(panel, url)},
      {id: "definition", title: "Definition", render: (panel) => panel.append(definition)},
    ]).node));
  const chart = echarts.init(charts);
  const series = {in: [], out: [], error: [], rate: []};
  const showStatus = (status) => {
    state.textContent = status.state;
    state.className = `badge ${status.state.toLowerCase()}`;
    cause.textContent = status.cause ? `Stopped because: ${status.cause}` : "";
    const c = counts(status);
    counters.replaceChildren(...[["Rows in", c.rowsIn, "rows-in"], ["Rows out", c.rowsOut, "rows-out"],
      ["Error rows", c.rowsError, "rows-error"], ["Rows/s", c.rowsPerSecond === null ? null : Math.round(c.rowsPerSecond), "rows-per-second"]]
      .map(([label, value, id]) => el("div", {class: "counter"}, el("span", {class: "muted"}, label), el("strong", {id}, formatNumber(value)))));
    const now = Date.now();
    [["in", c.rowsIn], ["out", c.rowsOut], ["error", c.rowsError], ["rate", c.rowsPerSecond || 0]]
      .forEach(([key, value]) => { series[key].push([now, value || 0]); if (series[key].length > WINDOW) series[key].shift(); });
    drawMetrics(chart, series);
  };
  const load = () => api(url).then((detail) => {
    showStatus(detail.status);
    definition.textContent = detail.definition;
    if (!stages.childElementCount) stages.replaceChildren(...flow(detail.stages));
  });
  load().catch(showError);
  const timer = setInterval(() => api(url).then((d) => showStatus(d.status), showError), 1000);
  const resize = () => chart.resize();
  window.addEventListener("resize", resize);
  return () => {
    clearInterval(timer);
    window.removeEventListener("resize", resize);
    chart.dispose();
  };
}

/** The stages as boxes in the order rows pass them. */
function flow(stages) {
  const boxes = [];
  stages.forEach((stage, i) => {
    if (i > 0) boxes.push(el("span", {class: "arrow"}, "→"));
    boxes.push(el("div", {class: `stage ${stage.kind}`, title: stage.detail},
      el("span", {class: "muted"}, stage.kind), el("strong", {}, stage.name)));
  });
  return boxes;
}

function drawMetrics(chart, series) {
  const line = (name, data, axis) => ({name, type: "line", showSymbol: false, yAxisIndex: axis, data});
  chart.setOption({
    animation: false,
    legend: {top: 0},
    tooltip: {trigger: "axis"},
    grid: {left: 70, right: 70, top: 40, bottom: 40},
    xAxis: {type: "time"},
    yAxis: [{type: "value", name: "rows"}, {type: "value", name: "rows/s"}],
    series: [line("rows in", series.in, 0), line("rows out", series.out, 0),
      line("error rows", series.error, 0), line("rows/s", series.rate, 1)],
  });
}

async function runs(panel, url) {
  try {
    const list = await api(`${url}/runs?limit=50`);
    panel.replaceChildren(table("runs", ["Started", "Status", "Duration", "Rows in", "Rows out", "Error rows", "Error"],
      list.map((r) => el("tr", {},
        el("td", {}, formatTime(r.startedAt)), el("td", {}, el("span", {class: `badge ${r.status.toLowerCase()}`}, r.status)),
        el("td", {}, r.endedAt ? formatDuration(r.endedAt - r.startedAt) : "running"),
        el("td", {class: "number"}, formatNumber(r.rowsIn)), el("td", {class: "number"}, formatNumber(r.rowsOut)),
        el("td", {class: "number"}, formatNumber(r.rowsError)), el("td", {class: "error-text"}, r.error || "")))));
  } catch (e) {
    showError(e);
  }
}

async function errors(panel, url) {
  const holder = el("div", {id: "error-records"});
  panel.replaceChildren(el("p", {class: "muted"}, "The newest rejected rows, each with the stage that rejected it and why."), holder);
  try {
    const records = await api(`${url}/errors?limit=1000`);
    staticGrid(holder, records.columns.map((name) => ({name, type: ""})), records.rows);
  } catch (e) {
    showError(e);
  }
}

async function preview(panel, url) {
  panel.replaceChildren(el("p", {class: "muted"}, "Running the pipeline over its first input rows; nothing is committed…"));
  try {
    const result = await api(`${url}/preview?limit=20`, {method: "POST"});
    const parts = Object.entries(result.stages).map(([stage, rows]) => [stage, rows]);
    parts.push(["would-be errors", result.errors]);
    panel.replaceChildren(...parts.map(([stage, rows]) => {
      const holder = el("div");
      const part = section(stage, holder);
      setTimeout(() => staticGrid(holder, rows.columns.map((name) => ({name, type: ""})), rows.rows, "220px"));
      return part;
    }));
  } catch (e) {
    panel.replaceChildren(el("p", {class: "muted"}, "No preview."));
    showError(e);
  }
}
