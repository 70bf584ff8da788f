// Administration (admin keys): API keys (list, create showing the token
// once, revoke), the cluster's nodes, and the service's version and
// effective settings (secrets redacted by the API).
import { html } from "./html.js";
import * as api from "./api.js";
import { formatTime } from "./format.js";
import { KeysPanel } from "./keys_panel.js";
import { ProblemMessage } from "./problem_view.js";
import { useTitle } from "./router.js";
import { isAdmin, session } from "./session.js";
import { useLoad } from "./use_load.js";

function NodesPanel() {
  const nodes = useLoad(() => api.listNodes().then(({ data }) => data), []);
  return html`<section aria-labelledby="nodes-title">
    <h2 id="nodes-title">Nodes</h2>
    <${ProblemMessage} error=${nodes.error} title="The nodes could not be loaded" />
    ${nodes.data && html`<div class="table-scroll" tabindex="0" role="region" aria-label="Nodes, table">
      <table>
        <thead><tr><th scope="col">Node</th><th scope="col">Alive until</th><th scope="col">Runs in flight</th></tr></thead>
        <tbody>${nodes.data.map((node) => html`<tr><th scope="row">${node.id}</th>
          <td>${formatTime(node.alive_until)}</td><td>${node.running_runs}</td></tr>`)}</tbody>
      </table>
    </div>`}
  </section>`;
}

function AboutPanel() {
  const about = useLoad(() => api.getAbout().then(({ data }) => data), []);
  const data = about.data;
  return html`<section aria-labelledby="about-title">
    <h2 id="about-title">About this service</h2>
    <${ProblemMessage} error=${about.error} title="The service's details could not be loaded" />
    ${data && html`<dl class="definition">
      <div><dt>Version</dt><dd>${data.version}</dd></div>
      <div><dt>Database</dt><dd>${data.database}</dd></div>
      <div><dt>Roles</dt><dd>${[].concat(data.roles || []).join(", ") || "—"}</dd></div>
    </dl>
    <div class="table-scroll" tabindex="0" role="region" aria-label="Effective settings">
      <table>
        <thead><tr><th scope="col">Setting</th><th scope="col">Value</th></tr></thead>
        <tbody>${Object.entries(data.settings || {}).map(([key, value]) => html`<tr><th scope="row"><code>${key}</code></th>
          <td><code>${typeof value === "object" ? JSON.stringify(value) : String(value)}</code></td></tr>`)}</tbody>
      </table>
    </div>`}
  </section>`;
}

export function AdminPage() {
  useTitle("Admin");
  return html`<h1>Admin</h1>
    ${!isAdmin.value && session.value.status !== "loading" && html`<p role="status">This page is for admin keys; the API refuses the others.</p>`}
    <${KeysPanel} />
    <${NodesPanel} />
    <${AboutPanel} />`;
}
