// The catalog tree in the sidebar, with a search over every dataset's path.
import * as catalog from "./catalog.js";
import {el} from "./dom.js";
import {showError} from "./errors.js";

const ICONS = {SPACE: "▣", FOLDER: "▸", TABLE: "▦", VIEW: "◫"};

export function installTree() {
  const search = document.getElementById("catalog-search");
  ["input", "search"].forEach((event) => search.addEventListener(event, () => draw(search.value)));
  catalog.onChange(() => draw(search.value));
  draw("");
}

async function draw(filter) {
  const tree = document.getElementById("tree");
  let items;
  try {
    items = await catalog.entries();
  } catch (e) {
    showError(e);
    return;
  }
  const wanted = filter.trim().toLowerCase();
  const byPath = new Map(items.map((item) => [item.path, item]));
  const shown = new Set();
  for (const item of items) {
    if (!wanted || item.path.toLowerCase().includes(wanted)) {
      // a match shows the folders above it
      for (let at = item; at; at = byPath.get(at.parent)) shown.add(at.path);
    }
  }
  tree.replaceChildren(...children(items, null, shown, wanted !== ""));
}

function children(items, parent, shown, expanded) {
  return items
    .filter((item) => item.parent === parent && shown.has(item.path))
    .map((item) => node(items, item, shown, expanded));
}

function node(items, item, shown, expanded) {
  const folder = item.type === "SPACE" || item.type === "FOLDER";
  const link = el("a", {href: `#/catalog/${encodeURIComponent(item.path)}`, class: `entry ${item.type.toLowerCase()}`,
    title: item.path, dataset: {path: item.path}}, el("span", {class: "icon"}, ICONS[item.type] || "·"), item.name);
  if (!folder) return el("li", {}, link);
  const list = el("ul", {}, ...children(items, item.path, shown, expanded));
  const details = el("details", {open: expanded || item.type === "SPACE"}, el("summary", {}, link), list);
  return el("li", {}, details);
}
