// The pipelines list: state, counts and live throughput, polled every second.
import {api} from "./api.js";
import {el, formatNumber, table} from "./dom.js";
import {showError} from "./errors.js";

export function pipelinesPage(main) {
  const body = el("tbody");
  const workers = el("tbody");
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {}, "Pipelines"),
    table("pipelines", ["Pipeline", "State", "Rows in", "Rows out", "Error rows", "Rows/s"], body),
    el("h3", {}, "Workers"),
    table("workers", ["Worker", "Role", "Last heard", "Runs"], workers)));
  const refresh = () => Promise.all([api("/pipelines"), api("/workers")]).then(([list, running]) => {
    body.replaceChildren(...(list.length ? list.map(row) : [el("tr", {}, el("td", {colspan: 6, class: "muted"},
      "No pipelines yet: apply one with ./dataflow pipeline apply DIR or PUT /api/v1/pipelines/{name}."))]));
    workers.replaceChildren(...(running.length ? running.map(workerRow) : [el("tr", {}, el("td", {colspan: 4, class: "muted"},
      "No worker is running: start one with ./dataflow up --role worker (or --role all)."))]));
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

/** A worker: when it was last heard from (gone once its leases lapsed) and what it runs. */
function workerRow(worker) {
  const seconds = Math.max(0, Math.round((Date.now() - worker.heardAt) / 1000));
  return el("tr", {dataset: {worker: worker.id}},
    el("td", {}, worker.id),
    el("td", {}, worker.role),
    el("td", {}, `${seconds} s ago${worker.alive ? "" : " (gone)"}`),
    el("td", {}, worker.pipelines.join(", ") || "–"));
}
