// A model's aliases and its deployment: the traffic split drawn as a bar, and forms to move an
// alias, deploy a version or alias with a canary share, or stop serving.
import {api} from "./api.js";
import {el, section, table} from "./dom.js";
import {showError, showNotice} from "./errors.js";

export function servingPanel(panel, model) {
  const split = el("div", {id: "traffic"});
  const deployForm = el("div", {class: "toolbar", id: "deploy-form"});
  const aliasRows = el("tbody");
  const aliasForm = el("div", {class: "toolbar", id: "alias-form"});
  panel.append(
    section("Traffic split", split, deployForm),
    section("Aliases", table("aliases", ["Alias", "Version", ""], aliasRows), aliasForm));
  // an action's answer is shown by reloading the model, so every tab agrees with the server
  const act = (path, options, notice) => api(`${model.url}${path}`, options)
    .then(() => { showNotice(notice); return model.reload(); }, showError);
  model.watch((detail) => {
    split.replaceChildren(traffic(model.name, detail.deployment));
    deployForm.replaceChildren(...deployControls(detail, act));
    aliasRows.replaceChildren(...Object.entries(detail.model.aliases).sort().map(([alias, version]) =>
      el("tr", {dataset: {alias}}, el("td", {}, alias), el("td", {}, `v${version}`), el("td", {},
        el("button", {class: "remove-alias", onclick: () =>
          act(`/aliases/${encodeURIComponent(alias)}`, {method: "DELETE"}, `Alias ${alias} removed.`)}, "Remove")))));
    aliasForm.replaceChildren(...aliasControls(detail, act));
  });
}

/** The deployment's two shares side by side, widths in proportion. */
function traffic(name, deployment) {
  if (!deployment) return el("p", {class: "muted"}, `Not deployed: /v2/models/${name}/infer answers 404 until a version or alias is deployed.`);
  const canary = deployment.canary_version ? deployment.canary_percent : 0;
  const part = (cls, version, target, percent) => el("div", {class: `share ${cls}`, style: `flex-grow: ${percent}`, title: `${percent}%`},
    el("span", {}, el("strong", {}, `v${version}`), ` ${target} · ${percent}%`));
  return el("div", {},
    el("p", {class: "muted"}, `Requests to /v2/models/${name}/infer are answered by:`),
    el("div", {class: "split"},
      100 - canary > 0 ? part("primary", deployment.version, deployment.target || "latest", 100 - canary) : null,
      canary > 0 ? part("canary", deployment.canary_version, `${deployment.canary} (canary)`, canary) : null));
}

/** Every version and alias a deployment may follow. */
function targets(detail, none) {
  const aliases = Object.entries(detail.model.aliases).sort()
    .map(([alias, version]) => el("option", {value: alias}, `${alias} (v${version})`));
  const versions = detail.versions.slice().reverse()
    .map((v) => el("option", {value: String(v.version)}, `version ${v.version}`));
  return [none ? el("option", {value: ""}, none) : null, ...aliases, ...versions];
}

function deployControls(detail, act) {
  const deployment = detail.deployment;
  const target = el("select", {id: "deploy-target"}, ...targets(detail, null));
  const canary = el("select", {id: "deploy-canary"}, ...targets(detail, "no canary"));
  const percent = el("input", {id: "deploy-percent", type: "number", min: 0, max: 100, size: 4, value: deployment ? deployment.canary_percent : 0});
  if (deployment) {
    target.value = deployment.target || String(detail.model.latestVersion);
    canary.value = deployment.canary || "";
  }
  const deploy = () => act("/deployment", {method: "PUT", body: {
    target: target.value,
    canary: canary.value || null,
    canary_percent: canary.value ? Number(percent.value) : 0,
  }}, `Model ${detail.model.name} deployed.`);
  return [el("label", {}, "Serve ", target), el("label", {}, "Canary ", canary), el("label", {}, "Canary share % ", percent),
    el("button", {id: "deploy", class: "primary", onclick: deploy}, deployment ? "Update deployment" : "Deploy"),
    deployment ? el("button", {id: "undeploy", onclick: () =>
      act("/deployment", {method: "DELETE"}, `Model ${detail.model.name} is no longer served.`)}, "Stop serving") : null];
}

function aliasControls(detail, act) {
  const alias = el("input", {id: "alias-name", placeholder: "alias, e.g. challenger", size: 18});
  const version = el("select", {id: "alias-version"}, ...detail.versions.slice().reverse()
    .map((v) => el("option", {value: String(v.version)}, `version ${v.version}`)));
  const point = () => {
    const name = alias.value.trim();
    if (!name) return showError("Name the alias first (for example challenger).");
    return act(`/aliases/${encodeURIComponent(name)}`, {method: "PUT", body: {version: Number(version.value)}},
      `Alias ${name} now points at version ${version.value}.`);
  };
  return [el("label", {}, "Point ", alias), el("label", {}, "at ", version), el("button", {id: "set-alias", onclick: point}, "Set alias")];
}
