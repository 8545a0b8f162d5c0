// A catalog entry's page: a folder's contents, or a dataset's schema, preview, snapshots (time
// travel to one), description and tags, and lineage drawn as a graph.
import {api} from "./api.js";
import * as catalog from "./catalog.js";
import {el, formatTime, section, segment, table, tabs} from "./dom.js";
import {showError, showNotice} from "./errors.js";
import {staticGrid} from "./grid.js";
import * as jobs from "./jobs.js";
import {lineageGraph} from "./lineage.js";
import {openInEditor} from "./query.js";

export function catalogPage(main, path) {
  main.replaceChildren(el("p", {class: "muted"}, "Loading…"));
  const disposers = [];
  (path ? catalog.entry(path) : api("/catalog"))
    .then((entry) => main.replaceChildren(entry.children ? folder(entry) : dataset(entry, disposers)))
    .catch((e) => {
      main.replaceChildren(el("p", {class: "muted"}, "This entry cannot be shown."));
      showError(e);
    });
  return () => disposers.forEach((dispose) => dispose());
}

function folder(entry) {
  const title = entry.type === "ROOT" ? "Catalog" : entry.path;
  return el("div", {class: "page"},
    el("h2", {}, title, el("span", {class: "badge"}, entry.type)),
    section("Contents", el("ul", {class: "listing"}, ...entry.children.map((child) =>
      el("li", {}, el("a", {href: `#/catalog/${encodeURIComponent(child.path)}`}, child.name),
        el("span", {class: "badge"}, child.type))))));
}

function dataset(entry, disposers) {
  const query = `SELECT * FROM ${entry.path}`;
  const specs = [
    {id: "overview", title: "Overview", render: (panel) => overview(panel, entry)},
    {id: "preview", title: "Preview", render: (panel) => preview(panel, `${query} LIMIT 100`)},
  ];
  if (entry.type === "TABLE") specs.push({id: "snapshots", title: "Snapshots", render: (panel) => snapshots(panel, entry)});
  specs.push({id: "lineage", title: "Lineage", render: (panel) => disposers.push(lineageGraph(panel, entry.path))});
  return el("div", {class: "page dataset"},
    el("h2", {id: "dataset-title"}, entry.path, el("span", {class: "badge"}, entry.type),
      entry.status === "INVALID" ? el("span", {class: "badge bad"}, "INVALID") : null),
    el("div", {class: "toolbar"}, el("button", {onclick: () => openInEditor(`${query} LIMIT 1000`)}, "Query in editor")),
    tabs(specs).node);
}

function overview(panel, entry) {
  panel.append(el("div", {},
    notes(entry.path),
    entry.problems && entry.problems.length ? section("Problems", el("ul", {}, ...entry.problems.map((p) => el("li", {}, p)))) : null,
    section("Schema", table("schema", ["Column", "Type", "Nullable"],
      entry.schema.map((c) => el("tr", {}, el("td", {}, c.name), el("td", {}, c.type), el("td", {}, c.nullable ? "yes" : "no"))))),
    entry.sql ? section("Definition", el("pre", {class: "sql"}, entry.sql)) : null,
    entry.dialects ? dialects(entry) : null,
    entry.partitioning && entry.partitioning.length
      ? section("Partitioning", el("p", {}, entry.partitioning.map((p) => `${p.transform}(${p.sourceColumn})`).join(", ")))
      : null));
}

/** The SQL other engines read a view by, and why a dialect has none. */
function dialects(entry) {
  const others = entry.dialects.filter((d) => d.dialect !== "duckdb");
  const missing = Object.entries(entry.missingDialects || {});
  return section("Other engines", el("div", {id: "dialects"},
    ...others.map((d) => el("div", {}, el("span", {class: "badge"}, d.dialect), el("pre", {class: "sql"}, d.sql))),
    ...missing.map(([dialect, reason]) => el("p", {class: "muted"}, `No ${dialect} SQL: ${reason}`))));
}

/** Description and tags, shown and edited in place. */
function notes(path) {
  const description = el("textarea", {id: "description", rows: 3, placeholder: "What is in this dataset, where it comes from, who to ask…"});
  const tags = el("input", {id: "tags", placeholder: "tags, comma separated", size: 40});
  const chips = el("div", {class: "chips"});
  const updated = el("span", {class: "muted"});
  const show = (n) => {
    description.value = n.description;
    tags.value = n.tags.join(", ");
    chips.replaceChildren(...n.tags.map((t) => el("span", {class: "chip"}, t)));
    updated.textContent = n.updatedAt ? `Last edited by ${n.updatedBy}, ${formatTime(n.updatedAt)}` : "";
  };
  const url = `/catalog/${segment(path)}/notes`;
  api(url).then(show, showError);
  const saveNotes = () => api(url, {method: "PUT", body: {
    description: description.value,
    tags: tags.value.split(",").map((t) => t.trim()).filter((t) => t),
  }}).then((n) => { show(n); showNotice("Description and tags saved."); }, showError);
  return section("About", description, el("div", {class: "toolbar"}, tags,
    el("button", {id: "save-notes", onclick: saveNotes}, "Save"), updated), chips);
}

async function preview(panel, sql) {
  const holder = el("div", {class: "preview", id: "preview"});
  panel.replaceChildren(el("p", {class: "muted"}, sql), holder);
  try {
    const page = await jobs.query(sql, 100);
    staticGrid(holder, page.columns, page.rows, "360px");
  } catch (e) {
    holder.textContent = "No preview.";
    showError(e);
  }
}

async function snapshots(panel, entry) {
  const travel = el("div", {class: "travel"});
  let list;
  try {
    list = await api(`/catalog/${segment(entry.path)}/snapshots`);
  } catch (e) {
    showError(e);
    return;
  }
  const rows = list.map((s) => el("tr", {},
    el("td", {}, s.snapshotId, s.snapshotId === entry.currentSnapshotId ? el("span", {class: "badge"}, "current") : null),
    el("td", {}, formatTime(s.timestamp)), el("td", {}, s.operation),
    el("td", {}, s.summary["added-records"] || "–"), el("td", {}, s.summary["total-records"] || "–"),
    el("td", {}, el("button", {class: "time-travel", onclick: () =>
      preview(travel, `SELECT * FROM ${entry.path} AT (VERSION => ${s.snapshotId}) LIMIT 100`)}, "Time travel"))));
  panel.replaceChildren(
    table("snapshots", ["Snapshot", "Committed", "Operation", "Added rows", "Total rows", ""], rows),
    travel);
}
