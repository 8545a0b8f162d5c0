// A test request to a model's endpoint: one input per feature of the chosen version, sent over
// the V2 inference protocol as any client would, with the prediction and the exchange shown.
import {inference} from "./api.js";
import {el, formatDuration, section} from "./dom.js";
import {showError} from "./errors.js";

export function testPanel(panel, model) {
  const holder = el("div");
  panel.append(holder);
  model.watch((detail) => holder.replaceChildren(detail.deployment
    ? form(model.name, detail)
    : el("p", {class: "muted", id: "test-undeployed"}, "Deploy the model (Aliases and traffic) to send it test requests.")));
}

function form(name, detail) {
  const version = el("select", {id: "test-version"},
    el("option", {value: ""}, "the endpoint (split as deployed)"),
    ...detail.versions.slice().reverse().map((v) => el("option", {value: String(v.version)}, `version ${v.version} only`)));
  const inputs = el("div", {class: "feature-inputs", id: "test-inputs"});
  const result = el("div", {id: "test-result"});
  const fields = () => {
    const v = detail.versions.find((x) => x.version === Number(version.value || detail.deployment.version));
    inputs.replaceChildren(...v.features.map(featureInput));
  };
  version.addEventListener("change", fields);
  fields();
  const send = async () => {
    const path = `/models/${encodeURIComponent(name)}${version.value ? `/versions/${version.value}` : ""}/infer`;
    const request = {instances: [instance(inputs)]};
    const started = performance.now();
    try {
      const answer = await inference(path, {method: "POST", body: request});
      result.replaceChildren(prediction(answer, detail, performance.now() - started), exchange(path, request, answer));
    } catch (e) {
      result.replaceChildren(el("p", {class: "error-text", id: "test-error"}, `No prediction: ${e.message}`), exchange(path, request, null));
      showError(e);
    }
  };
  return section("Send a test request",
    el("p", {class: "muted"}, "An empty field is sent as null, a missing value."),
    el("div", {class: "toolbar"}, el("label", {}, "Ask ", version)), inputs,
    el("div", {class: "toolbar"}, el("button", {id: "test-send", class: "primary", onclick: send}, "Send")),
    result);
}

/** A labelled input for one feature: a number (whole for integer datatypes), or true/false. */
function featureInput(feature) {
  const control = feature.datatype === "BOOL"
    ? el("select", {name: feature.name, dataset: {datatype: feature.datatype}},
      el("option", {value: ""}, "–"), el("option", {value: "true"}, "true"), el("option", {value: "false"}, "false"))
    : el("input", {name: feature.name, type: "number", dataset: {datatype: feature.datatype},
      step: /INT/.test(feature.datatype) ? 1 : "any", size: 10});
  return el("label", {class: "feature"}, el("span", {}, feature.name, " ", el("span", {class: "muted"}, feature.datatype)), control);
}

/** The inputs as one instance by feature name; the server checks each value against its datatype. */
function instance(inputs) {
  const values = {};
  for (const control of inputs.querySelectorAll("[name]")) {
    const text = control.value.trim();
    if (text === "") values[control.name] = null;
    else if (control.dataset.datatype === "BOOL") values[control.name] = text === "true";
    else values[control.name] = Number(text);
  }
  return values;
}

function prediction(answer, detail, millis) {
  const value = answer.predictions[0];
  const version = Number(answer.model_version);
  const answered = detail.versions.find((v) => v.version === version);
  const meaning = answered && answered.task === "CLASSIFICATION" ? "probability of class 1" : "predicted value";
  return el("div", {class: "counters"},
    el("div", {class: "counter"}, el("span", {class: "muted"}, `Prediction (${meaning})`),
      el("strong", {id: "prediction"}, Array.isArray(value) ? value.map((x) => x.toFixed(4)).join(", ") : value.toFixed(4))),
    el("div", {class: "counter"}, el("span", {class: "muted"}, "Answered by"), el("strong", {id: "answered-version"}, `v${version}`)),
    el("div", {class: "counter"}, el("span", {class: "muted"}, "Round trip"), el("strong", {}, formatDuration(millis))));
}

/** The request and answer as JSON, to reuse with curl or a client. */
function exchange(path, request, answer) {
  return el("div", {class: "exchange"},
    section(`POST /v2${path}`, el("pre", {class: "sql", id: "test-request"}, JSON.stringify(request, null, 2))),
    answer ? section("Answer", el("pre", {class: "sql", id: "test-answer"}, JSON.stringify(answer, null, 2))) : null);
}
