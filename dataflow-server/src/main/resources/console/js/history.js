// The history of jobs: status, duration, rows, errors; a click opens the statement in the editor.
import {api} from "./api.js";
import {el, formatDuration, formatNumber, formatTime, table} from "./dom.js";
import {showError} from "./errors.js";
import {openInEditor} from "./query.js";

export function jobsPage(main) {
  const body = el("tbody");
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {}, "Jobs"),
    el("p", {class: "muted"}, "The newest 200 statements run by anyone; refreshed every 3 seconds. Click a statement to open it in the editor."),
    table("jobs", ["Status", "Statement", "Started", "Duration", "Rows", "By", "Error"], body)));
  const refresh = () => api("/jobs?limit=200").then((list) => body.replaceChildren(...list.map(row)), showError);
  refresh();
  const timer = setInterval(refresh, 3000);
  return () => clearInterval(timer);
}

function row(job) {
  const ended = job.endedAt ? Date.parse(job.endedAt) : Date.now();
  return el("tr", {class: `job ${job.status.toLowerCase()}`},
    el("td", {}, el("span", {class: `badge ${job.status.toLowerCase()}`}, job.status)),
    el("td", {class: "statement"}, el("a", {href: "#/query", onclick: (e) => { e.preventDefault(); openInEditor(job.sql); }}, job.sql)),
    el("td", {}, formatTime(job.startedAt)),
    el("td", {}, formatDuration(ended - Date.parse(job.startedAt))),
    el("td", {class: "number"}, formatNumber(job.rows)),
    el("td", {}, job.principal),
    el("td", {class: "error-text"}, job.errorMessage ? `${job.errorCode}: ${job.errorMessage}` : ""));
}
