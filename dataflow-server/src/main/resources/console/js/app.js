// The console's entry point: hash routes to pages. A page is render(main, argument) returning a
// function that stops what it started (timers, charts) when the user leaves it; a new area is one
// more line in ROUTES.
import {catalogPage} from "./dataset.js";
import {clearBanner, installGlobalHandlers} from "./errors.js";
import {jobsPage} from "./history.js";
import {modelPage} from "./model.js";
import {modelsPage} from "./models.js";
import {pipelinePage} from "./pipeline.js";
import {pipelinesPage} from "./pipelines.js";
import {queryPage} from "./query.js";
import {installTree} from "./tree.js";

const ROUTES = [
  {pattern: /^#\/catalog(?:\/(.+))?$/, nav: "catalog", page: catalogPage},
  {pattern: /^#\/query$/, nav: "query", page: queryPage},
  {pattern: /^#\/jobs$/, nav: "jobs", page: jobsPage},
  {pattern: /^#\/pipelines\/(.+)$/, nav: "pipelines", page: pipelinePage},
  {pattern: /^#\/pipelines$/, nav: "pipelines", page: pipelinesPage},
  {pattern: /^#\/models\/(.+)$/, nav: "models", page: modelPage},
  {pattern: /^#\/models$/, nav: "models", page: modelsPage},
];

let leave = () => {};

function route() {
  const hash = location.hash || "#/catalog";
  const match = ROUTES.map((r) => ({r, m: r.pattern.exec(hash)})).find((x) => x.m);
  if (!match) {
    location.hash = "#/catalog";
    return;
  }
  leave();
  clearBanner();
  document.querySelectorAll("#nav a").forEach((a) => a.classList.toggle("active", a.dataset.page === match.r.nav));
  const argument = match.m[1] === undefined ? null : decodeURIComponent(match.m[1]);
  leave = match.r.page(document.getElementById("main"), argument) || (() => {});
}

installGlobalHandlers();
installTree();
window.addEventListener("hashchange", route);
route();
