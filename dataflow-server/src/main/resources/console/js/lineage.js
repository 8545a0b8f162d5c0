// Lineage drawn as a layered graph: upstream datasets to the left by depth, downstream to the
// right. Edges are the views' own upstream lists, so every arrow is a real "reads from".
import {api} from "./api.js";
import * as catalog from "./catalog.js";
import {el, segment} from "./dom.js";
import {showError} from "./errors.js";

const COLORS = {TABLE: "#2f6fb3", VIEW: "#2e9d6b", MISSING: "#c0392b"};

export function lineageGraph(panel, path) {
  const canvas = el("div", {class: "chart lineage", id: "lineage"});
  const columns = el("div", {class: "column-lineage"});
  panel.append(el("p", {class: "muted"}, "Arrows point from a dataset to the views that read it. Click a dataset to open it."), canvas, columns);
  let chart = null;
  draw(path, canvas, columns).then((c) => (chart = c), showError);
  return () => chart && chart.dispose();
}

async function draw(path, canvas, columns) {
  const lineage = await api(`/catalog/${segment(path)}/lineage`);
  const self = await catalog.entry(path);
  const nodes = [{path, type: self.type, layer: 0}];
  lineage.upstream.forEach((n) => nodes.push({...n, layer: -n.depth}));
  lineage.downstream.forEach((n) => nodes.push({...n, layer: n.depth}));
  const known = new Set(nodes.map((n) => n.path));
  const edges = [];
  for (const node of nodes.filter((n) => n.type === "VIEW")) {
    const upstream = node.path === path ? self.upstream : (await catalog.entry(node.path)).upstream;
    (upstream || []).filter((u) => known.has(u)).forEach((u) => edges.push({source: u, target: node.path}));
  }
  place(nodes);
  const chart = echarts.init(canvas);
  chart.setOption({
    animation: false,
    tooltip: {formatter: (p) => (p.dataType === "node" ? `${p.data.name} (${p.data.kind})` : `${p.data.source} → ${p.data.target}`)},
    series: [{
      type: "graph",
      layout: "none",
      roam: true,
      label: {show: true, position: "bottom", fontSize: 12},
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 9,
      lineStyle: {color: "#888", width: 1.5, curveness: 0.1},
      data: nodes.map((n) => ({
        name: n.path, kind: n.type, x: n.x, y: n.y,
        symbol: n.type === "TABLE" ? "rect" : "roundRect",
        symbolSize: n.path === path ? [22, 22] : [16, 16],
        itemStyle: {color: COLORS[n.type] || "#777", borderColor: n.path === path ? "#111" : undefined, borderWidth: 2},
      })),
      links: edges,
    }],
  });
  chart.on("click", (p) => {
    if (p.dataType === "node" && p.data.kind !== "MISSING") location.hash = `#/catalog/${encodeURIComponent(p.data.name)}`;
  });
  columns.replaceChildren(...columnLineage(lineage.columns || []));
  return chart;
}

/** Layers left to right, nodes of a layer spread top to bottom. */
function place(nodes) {
  const layers = new Map();
  nodes.forEach((n) => layers.set(n.layer, [...(layers.get(n.layer) || []), n]));
  for (const [layer, members] of layers) {
    members.forEach((n, i) => {
      n.x = layer * 260;
      n.y = (i - (members.length - 1) / 2) * 80;
    });
  }
}

function columnLineage(columns) {
  if (!columns.length) return [];
  return [el("h4", {}, "Column lineage"), el("table", {class: "schema"},
    el("tbody", {}, ...columns.map((c) => el("tr", {}, el("td", {}, c.column),
      el("td", {}, c.sources.map((s) => `${s.path}.${s.column}`).join(", "))))))];
}
