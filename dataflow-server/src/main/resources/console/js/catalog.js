// The catalog as the console knows it: every space, folder and dataset (walked once, refreshed on
// demand), and the columns of datasets for SQL completion.
import {api} from "./api.js";
import {segment} from "./dom.js";

const MAX_ENTRIES = 5_000;
let nodes = null;
const columns = new Map();
const listeners = [];

/** Every entry: {name, type, path, parent}. */
export async function entries() {
  if (!nodes) nodes = walk();
  return nodes;
}

export function refresh() {
  nodes = null;
  columns.clear();
  const loaded = entries();
  listeners.forEach((listener) => loaded.then(listener));
  return loaded;
}

export function onChange(listener) {
  listeners.push(listener);
}

async function walk() {
  const found = [];
  const queue = [{path: null}];
  while (queue.length && found.length < MAX_ENTRIES) {
    const folder = queue.shift();
    const entry = await api(folder.path === null ? "/catalog" : `/catalog/${segment(folder.path)}`);
    for (const child of entry.children) {
      found.push({...child, parent: folder.path});
      if (child.type === "SPACE" || child.type === "FOLDER") queue.push(child);
    }
  }
  return found;
}

export function entry(path) {
  return api(`/catalog/${segment(path)}`);
}

/**
 * Completion tables for CodeMirror's sql-hint, by full path: {"tpch.orders": [columns]}; it
 * completes "tpch." to the space's datasets and "tpch.orders." (or an alias) to the columns.
 * Columns are fetched once per dataset.
 */
export async function completionTables() {
  const tables = {};
  for (const item of await entries()) {
    if (item.type !== "TABLE" && item.type !== "VIEW") continue;
    if (!columns.has(item.path)) {
      columns.set(item.path, entry(item.path).then((e) => (e.schema || []).map((c) => c.name), () => []));
    }
    tables[item.path] = await columns.get(item.path);
  }
  return tables;
}
