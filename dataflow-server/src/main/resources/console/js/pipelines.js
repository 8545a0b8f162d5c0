// The pipelines list: state, counts and live throughput, polled every second.
import {api} from "./api.js";
import {el, formatNumber, table} from "./dom.js";
import {showError} from "./errors.js";

export function pipelinesPage(main) {
  const body = el("tbody");
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {}, "Pipelines"),
    table("pipelines", ["Pipeline", "State", "Rows in", "Rows out", "Error rows", "Rows/s"], body)));
  const refresh = () => api("/pipelines").then((list) => {
    body.replaceChildren(...(list.length ? list.map(row) : [el("tr", {}, el("td", {colspan: 6, class: "muted"},
      "No pipelines yet: apply one with ./dataflow pipeline apply DIR or PUT /api/v1/pipelines/{name}."))]));
  }, showError);
  refresh();
  const timer = setInterval(refresh, 1000);
  return () => clearInterval(timer);
}

/** Live counters while running, else the last run's. */
export function counts(status) {
  const source = status.live || status.lastRun || {};
  return {rowsIn: source.rowsIn, rowsOut: source.rowsOut, rowsError: source.rowsError,
    rowsPerSecond: status.live ? status.live.rowsPerSecond : null};
}

function row(status) {
  const c = counts(status);
  return el("tr", {dataset: {pipeline: status.name}},
    el("td", {}, el("a", {href: `#/pipelines/${encodeURIComponent(status.name)}`}, status.name)),
    el("td", {}, el("span", {class: `badge ${status.state.toLowerCase()}`}, status.state)),
    el("td", {class: "number"}, formatNumber(c.rowsIn)),
    el("td", {class: "number"}, formatNumber(c.rowsOut)),
    el("td", {class: "number"}, formatNumber(c.rowsError)),
    el("td", {class: "number"}, c.rowsPerSecond === null ? "–" : formatNumber(Math.round(c.rowsPerSecond))));
}
