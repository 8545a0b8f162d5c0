// The models list: each model with its latest version and aliases; a click opens its page.
import {api} from "./api.js";
import {el, formatTime, table} from "./dom.js";
import {showError} from "./errors.js";

export function modelsPage(main) {
  const body = el("tbody");
  main.replaceChildren(el("div", {class: "page"},
    el("h2", {}, "Models"),
    table("models", ["Model", "Description", "Latest version", "Aliases", "Created"], body)));
  api("/models").then((list) => body.replaceChildren(...(list.length ? list.map(row) : [el("tr", {},
    el("td", {colspan: 5, class: "muted"},
      "No models yet: train one with ./dataflow model train or POST /api/v1/models/{name}/train."))])), showError);
}

/** Alias → version pairs as chips. */
export function aliasChips(aliases) {
  return el("div", {class: "chips"}, ...Object.entries(aliases).sort()
    .map(([alias, version]) => el("span", {class: "chip"}, `${alias} → v${version}`)));
}

function row(model) {
  return el("tr", {dataset: {model: model.name}},
    el("td", {}, el("a", {href: `#/models/${encodeURIComponent(model.name)}`}, model.name)),
    el("td", {}, model.description || ""),
    el("td", {class: "number"}, `v${model.latestVersion}`),
    el("td", {}, aliasChips(model.aliases)),
    el("td", {}, formatTime(model.createdAt)));
}
