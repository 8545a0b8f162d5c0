// Every failure reaches the banner in plain words: nothing fails silently.

/** An error the REST API answered (its Error body), or one of reaching it. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body.message || `The server answered HTTP ${status}`);
    this.status = status;
    this.code = body.errorCode || `HTTP_${status}`;
    this.line = body.line || 0;
    this.column = body.column || 0;
  }
}

const LEADS = {
  SYNTAX_ERROR: "The SQL has a syntax error",
  INVALID_ARGUMENT: "The request was not valid",
  NOT_ALLOWED: "That statement is not allowed",
  UNAUTHENTICATED: "You are not signed in",
  PERMISSION_DENIED: "You may not do that",
  NOT_FOUND: "Not found",
  ALREADY_EXISTS: "It already exists",
  INVALID_VIEW: "The view is broken",
  CANCELLED: "Cancelled",
  TIMEOUT: "It took too long and was stopped",
  RESOURCE_EXHAUSTED: "The server is too busy or out of memory",
  UNSUPPORTED: "That is not supported",
  INTERNAL: "The server hit an internal error",
  UNREACHABLE: "The server cannot be reached",
};

/** One sentence a person can act on: what kind of problem, where, and the server's words. */
export function describe(error) {
  if (typeof error === "string") return error;
  if (error instanceof ApiError) {
    const lead = LEADS[error.code] || "The request failed";
    const where = error.line ? ` (line ${error.line}${error.column ? `, column ${error.column}` : ""})` : "";
    return `${lead}${where}: ${error.message}`;
  }
  return `Something went wrong in the console: ${error && error.message ? error.message : error}`;
}

export function showError(error) {
  show(describe(error), "error");
}

export function showNotice(text) {
  show(text, "notice");
}

function show(text, kind) {
  const banner = document.getElementById("banner");
  document.getElementById("banner-text").textContent = text;
  banner.className = kind;
  banner.hidden = false;
}

export function clearBanner() {
  document.getElementById("banner").hidden = true;
}

/** Catches what no page handled: a failed promise or a script error is shown, not swallowed. */
export function installGlobalHandlers() {
  document.getElementById("banner-close").addEventListener("click", clearBanner);
  window.addEventListener("unhandledrejection", (event) => showError(event.reason));
  window.addEventListener("error", (event) => showError(event.error || event.message));
}
