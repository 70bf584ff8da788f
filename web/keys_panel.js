// API keys: the list, a form creating one (its token is shown once, here),
// and revoking one after a confirmation.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { ConfirmDialog } from "./confirm_dialog.js";
import { formatTime } from "./format.js";
import { SelectField, TextField } from "./form_field.js";
import { ProblemMessage } from "./problem_view.js";
import { useLoad } from "./use_load.js";

const ROLES = [["read", "read: see jobs and runs"], ["write", "write: also change them"], ["admin", "admin: everything, every namespace"]];

function KeyForm({ onCreated }) {
  const [values, setValues] = useState({ name: "", role: "read", namespace: "", expires_in: "", rate_limit: "" });
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const form = { values, errors, set: (name, value) => setValues({ ...values, [name]: value }) };
  const submit = async (event) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    const key = { name: values.name, role: values.role };
    if (values.namespace) key.namespace = values.namespace;
    if (values.expires_in) key.expires_in = values.expires_in;
    if (values.rate_limit) key.rate_limit = Number(values.rate_limit);
    try {
      const { data } = await api.createKey(key);
      setValues({ ...values, name: "", namespace: "", expires_in: "", rate_limit: "" });
      onCreated(data);
    } catch (failure) {
      if (failure.status === 400 && failure.field && failure.field in values) setErrors({ [failure.field]: failure.detail });
      else setError(failure);
    }
  };
  return html`<form class="key-form" novalidate onSubmit=${submit} aria-labelledby="new-key-title">
    <h3 id="new-key-title">Create a key</h3>
    <div class="row">
      <${TextField} form=${form} name="name" label="Name" required=${true} autocomplete="off" />
      <${SelectField} form=${form} name="role" label="Role" options=${ROLES} />
      <${TextField} form=${form} name="namespace" label="Namespace, optional" hint="read and write keys see only it" />
      <${TextField} form=${form} name="expires_in" label="Expires in, optional" hint="e.g. 90d; never when empty" />
      <${TextField} form=${form} name="rate_limit" label="Rate limit, optional" type="number" min="0" />
    </div>
    <${ProblemMessage} error=${error} />
    <button type="submit" class="primary">Create key</button>
  </form>`;
}

function NewToken({ created, onDismiss }) {
  return html`<div class="token" role="alert">
    <p><strong>The token of key ${created.name}</strong>: copy it now, it is never shown again.</p>
    <pre class="code" tabindex="0" aria-label="Token">${created.token}</pre>
    <button type="button" onClick=${onDismiss}>I have copied it</button>
  </div>`;
}

export function KeysPanel() {
  const keys = useLoad(() => api.listKeys().then(({ data }) => data), []);
  const [created, setCreated] = useState(null);
  const [revoking, setRevoking] = useState(null);
  const [error, setError] = useState(null);
  const revoke = async () => {
    try {
      await api.revokeKey(revoking);
      keys.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setRevoking(null);
    }
  };
  return html`<section aria-labelledby="keys-title">
    <h2 id="keys-title">API keys</h2>
    <${ProblemMessage} error=${keys.error || error} title=${keys.error ? "The keys could not be loaded" : undefined} />
    ${created && html`<${NewToken} created=${created} onDismiss=${() => setCreated(null)} />`}
    ${keys.data && html`<div class="table-scroll" tabindex="0" role="region" aria-label="API keys, table">
      <table>
        <thead><tr><th scope="col">Name</th><th scope="col">Role</th><th scope="col">Namespace</th><th scope="col">Created</th>
          <th scope="col">Expires</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${keys.data.map((key) => html`<tr><th scope="row">${key.name}</th><td>${key.role}</td>
          <td>${key.namespace || "all"}</td><td>${formatTime(key.created_at)}</td><td>${formatTime(key.expires_at)}</td>
          <td>${key.revoked_at ? `revoked ${formatTime(key.revoked_at)}` : "active"}</td>
          <td>${!key.revoked_at && html`<button type="button" class="danger" onClick=${() => setRevoking(key.name)}
            aria-label=${`Revoke ${key.name}`}>Revoke</button>`}</td></tr>`)}</tbody>
      </table>
    </div>`}
    <${KeyForm} onCreated=${(data) => { setCreated(data); keys.reload(); }} />
    <${ConfirmDialog} open=${!!revoking} title=${`Revoke ${revoking || ""}?`} danger=${true}
      message="Requests with its token, and its sessions, are refused from the next key refresh on (seconds)."
      confirmLabel="Revoke the key" onConfirm=${revoke} onCancel=${() => setRevoking(null)} />
  </section>`;
}
