// One model: its versions with their metrics, its aliases and the traffic split of its deployment,
// and a form that sends a test request to its endpoint.
import {api} from "./api.js";
import {el, formatTime, section, table, tabs} from "./dom.js";
import {showError} from "./errors.js";
import {aliasChips} from "./models.js";
import {servingPanel} from "./serving.js";
import {testPanel} from "./testform.js";

export function modelPage(main, name) {
  const url = `/models/${encodeURIComponent(name)}`;
  const views = [];
  const disposers = [];
  let latest = null;
  const model = {
    name,
    url,
    // a panel drawn later is handed the detail already loaded, then every reload's
    watch: (update) => { views.push(update); if (latest) update(latest); },
    reload: () => api(url).then((detail) => { latest = detail; views.forEach((update) => update(detail)); }, showError),
    dispose: (dispose) => disposers.push(dispose),
  };
  const state = el("span", {class: "badge", id: "model-state"});
  const description = el("p", {class: "muted", id: "model-description"});
  model.watch((detail) => {
    state.textContent = detail.deployment ? "SERVING" : "NOT DEPLOYED";
    state.className = `badge ${detail.deployment ? "running" : "stopped"}`;
    description.textContent = detail.model.description || "";
  });
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {id: "model-title"}, name, state), description,
    tabs([
      {id: "versions", title: "Versions", render: (panel) => versionsPanel(panel, model)},
      {id: "serving", title: "Aliases and traffic", render: (panel) => servingPanel(panel, model)},
      {id: "test", title: "Test endpoint", render: (panel) => testPanel(panel, model)},
    ]).node));
  model.reload();
  return () => disposers.forEach((dispose) => dispose());
}

/** The versions, newest first, a chart of their held-out metrics, and one version's detail. */
function versionsPanel(panel, model) {
  const canvas = el("div", {class: "chart metrics", id: "metrics-chart"});
  const body = el("tbody");
  const detail = el("div", {id: "version-detail"});
  panel.append(section("Held-out metrics by version", canvas),
    table("versions", ["Version", "Aliases", "Serving", "Task", "Format", "Features", "Metrics", "Created", "By"], body),
    detail);
  let chart = null;
  const resize = () => chart && chart.resize();
  window.addEventListener("resize", resize);
  model.dispose(() => {
    window.removeEventListener("resize", resize);
    if (chart) chart.dispose();
  });
  model.watch((d) => {
    const versions = d.versions.slice().reverse();
    body.replaceChildren(...versions.map((v) => versionRow(v, d, () => detail.replaceChildren(versionDetail(v)))));
    // made on the first detail, once the page is in the document: ECharts sizes its canvas then
    if (!chart) chart = echarts.init(canvas);
    drawMetrics(chart, d.versions);
  });
}

/** Which aliases point at a version, as chips. */
function aliasesOf(version, aliases) {
  return aliasChips(Object.fromEntries(Object.entries(aliases).filter(([, v]) => v === version)));
}

/** The share of a deployment's requests a version answers, or "" when it answers none. */
export function share(version, deployment) {
  if (!deployment) return "";
  const canary = deployment.canary_version ? deployment.canary_percent : 0;
  if (version === deployment.canary_version && version !== deployment.version) return `${canary}%`;
  return version === deployment.version ? `${100 - canary}%` : "";
}

function versionRow(v, d, open) {
  return el("tr", {dataset: {version: v.version}},
    el("td", {}, el("a", {href: "javascript:void 0", class: "version-link", onclick: open}, `v${v.version}`)),
    el("td", {}, aliasesOf(v.version, d.model.aliases)),
    el("td", {class: "number"}, share(v.version, d.deployment)),
    el("td", {}, v.task), el("td", {}, v.format),
    el("td", {}, v.features.map((f) => f.name).join(", ")),
    el("td", {class: "metrics"}, Object.entries(v.metrics).sort()
      .map(([metric, value]) => `${metric} ${value.toFixed(4)}`).join(" · ") || "–"),
    el("td", {}, formatTime(v.createdAt)), el("td", {}, v.principal));
}

/** How a version was made: its inputs, parameters, the query and the snapshots it read. */
function versionDetail(v) {
  return section(`Version ${v.version}`,
    v.description ? el("p", {}, v.description) : null,
    table("features", ["Feature", "Datatype"], v.features.map((f) => el("tr", {}, el("td", {}, f.name), el("td", {}, f.datatype)))),
    el("h4", {}, "Parameters"),
    el("pre", {class: "sql"}, JSON.stringify(v.parameters, null, 2)),
    v.source ? el("h4", {}, "Trained from") : null,
    v.source ? el("pre", {class: "sql"}, v.source) : null,
    v.lineage.length ? table("version-lineage", ["Dataset read", "Snapshot"],
      v.lineage.map((s) => el("tr", {}, el("td", {}, el("a", {href: `#/catalog/${encodeURIComponent(s.dataset)}`}, s.dataset)),
        el("td", {}, s.snapshotId)))) : null);
}

/** One group of bars per version, one bar per metric the versions recorded. */
function drawMetrics(chart, versions) {
  const metrics = [...new Set(versions.flatMap((v) => Object.keys(v.metrics)))].sort();
  chart.setOption({
    animation: false,
    legend: {top: 0},
    tooltip: {trigger: "axis"},
    grid: {left: 60, right: 30, top: 40, bottom: 30},
    xAxis: {type: "category", data: versions.map((v) => `v${v.version}`)},
    yAxis: {type: "value"},
    series: metrics.map((metric) => ({name: metric, type: "bar", data: versions.map((v) => v.metrics[metric] ?? null)})),
  }, true);
}
