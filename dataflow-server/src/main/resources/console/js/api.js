// The only way the console talks to the server: the public REST API under /api/v1, and the
// inference protocol under /v2 that a model's test form calls as any client would.
import {ApiError} from "./errors.js";
import {signIn} from "./login.js";

const BASE = "/api/v1";
const INFERENCE = "/v2";

/**
 * Calls the API; resolves to the parsed JSON (or the Response when raw). When the server asks for
 * credentials, the sign-in dialog opens and the call is retried once signed in.
 */
export function api(path, options = {}) {
  return call(BASE + path, options);
}

/** Calls the Open Inference Protocol V2 (/v2/models/…), with the same credentials and errors. */
export function inference(path, options = {}) {
  return call(INFERENCE + path, options);
}

async function call(url, {method = "GET", body, contentType = "application/json", raw = false} = {}) {
  // the header tells the server a script is asking, so a 401 does not open the browser's own prompt
  const headers = {"X-Requested-With": "dataflow-console"};
  const credentials = sessionStorage.getItem("dataflow.credentials");
  if (credentials) headers.Authorization = `Basic ${credentials}`;
  if (body !== undefined) headers["Content-Type"] = contentType;
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, {errorCode: "UNREACHABLE", message: `is Dataflow running? (${e.message})`});
  }
  if (response.status === 401) {
    await signIn(await errorBody(response));
    return call(url, {method, body, contentType, raw});
  }
  if (!response.ok) throw new ApiError(response.status, await errorBody(response));
  // the name shows once the server has accepted it
  if (credentials) document.getElementById("who").textContent = sessionStorage.getItem("dataflow.user");
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

async function errorBody(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    // V2 answers errors as {"error", "code"}, the REST API as {"errorCode", "message"}
    return body.error === undefined ? body : {errorCode: body.code, message: body.error};
  } catch (e) {
    return {message: text || `HTTP ${response.status} ${response.statusText}`};
  }
}
