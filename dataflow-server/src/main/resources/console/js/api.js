// The only way the console talks to the server: the public REST API under /api/v1.
import {ApiError} from "./errors.js";
import {signIn} from "./login.js";

const BASE = "/api/v1";

/**
 * Calls the API; resolves to the parsed JSON (or the Response when raw). When the server asks for
 * credentials, the sign-in dialog opens and the call is retried once signed in.
 */
export async function api(path, {method = "GET", body, contentType = "application/json", raw = false} = {}) {
  // the header tells the server a script is asking, so a 401 does not open the browser's own prompt
  const headers = {"X-Requested-With": "dataflow-console"};
  const credentials = sessionStorage.getItem("dataflow.credentials");
  if (credentials) headers.Authorization = `Basic ${credentials}`;
  if (body !== undefined) headers["Content-Type"] = contentType;
  let response;
  try {
    response = await fetch(BASE + path, {
      method,
      headers,
      body: body === undefined || typeof body === "string" ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(0, {errorCode: "UNREACHABLE", message: `is Dataflow running? (${e.message})`});
  }
  if (response.status === 401) {
    await signIn(await errorBody(response));
    return api(path, {method, body, contentType, raw});
  }
  if (!response.ok) throw new ApiError(response.status, await errorBody(response));
  if (raw) return response;
  return response.status === 204 ? null : response.json();
}

async function errorBody(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch (e) {
    return {message: text || `HTTP ${response.status} ${response.statusText}`};
  }
}
