// Small helpers to build the page without a framework.

/** An element: el("div", {class: "x", onclick: f}, child, "text", …). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "dataset") Object.assign(node.dataset, value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A section with a heading. */
export function section(title, ...children) {
  return el("section", {class: "card"}, el("h3", {}, title), ...children);
}

/** A table with a header row; body is a tbody, or rows (tr elements) to put in one. */
export function table(id, headings, body) {
  return el("table", {class: "schema", id},
    el("thead", {}, el("tr", {}, ...headings.map((h) => el("th", {}, h)))),
    body instanceof Node ? body : el("tbody", {}, ...body));
}

/** Tabs: [{id, title, render(panel)}]; the first is shown; render runs when a tab first opens. */
export function tabs(specs) {
  const bar = el("div", {class: "tabs", role: "tablist"});
  const panels = el("div", {class: "tab-panels"});
  const rendered = new Set();
  const show = (id) => {
    for (const spec of specs) {
      const active = spec.id === id;
      bar.querySelector(`[data-tab="${spec.id}"]`).classList.toggle("active", active);
      const panel = panels.querySelector(`[data-panel="${spec.id}"]`);
      panel.hidden = !active;
      if (active && !rendered.has(id)) {
        rendered.add(id);
        spec.render(panel);
      }
      if (active && spec.shown) spec.shown(panel);
    }
  };
  for (const spec of specs) {
    bar.append(el("button", {class: "tab", role: "tab", dataset: {tab: spec.id}, onclick: () => show(spec.id)}, spec.title));
    panels.append(el("div", {class: "tab-panel", dataset: {panel: spec.id}, hidden: true}));
  }
  const node = el("div", {class: "tabbed"}, bar, panels);
  show(specs[0].id);
  return {node, show};
}

export function formatNumber(value) {
  return value === null || value === undefined ? "–" : Number(value).toLocaleString("en-US");
}

/** A duration in milliseconds, readable. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(value) {
  if (value === null || value === undefined) return "–";
  return new Date(value).toLocaleString("en-GB", {timeZone: "UTC"}) + " UTC";
}

/** A dataset path as a URL path segment (dots stay; quotes and spaces are encoded). */
export function segment(path) {
  return encodeURIComponent(path);
}
