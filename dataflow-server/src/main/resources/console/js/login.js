// Sign-in for a server that requires credentials (DATAFLOW_PASSWORD): HTTP Basic, as every API
// client sends it, kept for this browser tab only.

let pending = null;

/** Opens the dialog (once, however many calls wait) and resolves when credentials are stored. */
export function signIn(error) {
  if (!pending) {
    pending = new Promise((resolve) => ask(error, resolve)).finally(() => (pending = null));
  }
  return pending;
}

function ask(error, resolve) {
  const dialog = document.getElementById("login");
  const form = document.getElementById("login-form");
  const hadCredentials = sessionStorage.getItem("dataflow.credentials") !== null;
  document.getElementById("login-error").textContent =
    hadCredentials && error && error.message ? error.message : "";
  form.onsubmit = (event) => {
    event.preventDefault();
    const user = document.getElementById("login-user").value;
    const password = document.getElementById("login-password").value;
    const bytes = new TextEncoder().encode(`${user}:${password}`);
    sessionStorage.setItem("dataflow.credentials", btoa(String.fromCharCode(...bytes)));
    document.getElementById("who").textContent = user;
    dialog.close();
    resolve();
  };
  if (!dialog.open) dialog.showModal();
  document.getElementById("login-password").focus();
}
