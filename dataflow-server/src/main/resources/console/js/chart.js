// The chart tab: bar, line or scatter over two result columns, drawn by ECharts.
import {el} from "./dom.js";
import {numeric} from "./grid.js";

/** Points drawn at most; beyond this a chart is a blur and the browser slows. */
const MAX_POINTS = 100_000;

/** Chart controls and canvas for a result: {columns, rows}. */
export function chartPanel(panel, result) {
  const columns = result.columns;
  const options = (filter) =>
    columns.map((c, i) => el("option", {value: i, disabled: filter && !filter(c)}, `${c.name} (${c.type})`));
  const type = el("select", {id: "chart-type"}, ...["bar", "line", "scatter"].map((t) => el("option", {value: t}, t)));
  const x = el("select", {id: "chart-x"}, ...options(null));
  const y = el("select", {id: "chart-y"}, ...options((c) => numeric(c.type)));
  const firstNumeric = columns.findIndex((c) => numeric(c.type));
  const firstOther = columns.findIndex((c, i) => i !== firstNumeric);
  if (firstOther >= 0) x.value = String(firstOther);
  if (firstNumeric >= 0) y.value = String(firstNumeric);
  const canvas = el("div", {class: "chart", id: "chart"});
  const note = el("p", {class: "muted"});
  panel.replaceChildren(
    el("div", {class: "toolbar"}, el("label", {}, "Chart ", type), el("label", {}, "X ", x), el("label", {}, "Y ", y)),
    note, canvas);
  if (firstNumeric < 0) {
    note.textContent = "The result has no numeric column to chart.";
    return () => {};
  }
  const chart = echarts.init(canvas);
  const draw = () => {
    const xi = Number(x.value), yi = Number(y.value);
    const rows = result.rows.slice(0, MAX_POINTS);
    note.textContent = result.rows.length > MAX_POINTS
      ? `Showing the first ${MAX_POINTS.toLocaleString("en-US")} of ${result.rows.length.toLocaleString("en-US")} loaded rows.`
      : "";
    const scatter = type.value === "scatter";
    const xNumeric = numeric(columns[xi].type);
    chart.setOption({
      animation: false,
      tooltip: {trigger: scatter ? "item" : "axis"},
      grid: {left: 70, right: 30, top: 30, bottom: 60},
      xAxis: scatter && xNumeric
        ? {type: "value", name: columns[xi].name, scale: true}
        : {type: "category", name: columns[xi].name, data: rows.map((r) => String(r[xi]))},
      yAxis: {type: "value", name: columns[yi].name, scale: scatter},
      series: [{
        type: type.value,
        name: columns[yi].name,
        large: true,
        symbolSize: scatter ? 5 : 4,
        data: scatter && xNumeric ? rows.map((r) => [Number(r[xi]), Number(r[yi])]) : rows.map((r) => Number(r[yi])),
      }],
    }, true);
  };
  [type, x, y].forEach((select) => select.addEventListener("change", draw));
  draw();
  const resize = () => chart.resize();
  window.addEventListener("resize", resize);
  return () => {
    window.removeEventListener("resize", resize);
    chart.dispose();
  };
}
