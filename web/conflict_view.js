// What changed in a job while it was being edited (the API answered 412 to
// the PATCH's If-Match): member by member, as it was when the form opened
// and as it is now, so nobody overwrites someone else's change unseen.
import { html } from "./html.js";
import { formatTime } from "./format.js";

const MEMBERS = ["name", "interval", "every", "cron", "timezone", "at", "start_at", "end_at", "task", "timeout", "retry",
  "misfire", "catchup_window", "overlap", "jitter", "is_active"];

const shown = (value) => (value === undefined || value === null ? "—" : typeof value === "object"
  ? JSON.stringify(value) : String(value));

export function changedMembers(before, after) {
  return MEMBERS.filter((member) => shown(before[member]) !== shown(after[member]));
}

export function ConflictView({ before, after, onKeepMine, onTakeTheirs, busy }) {
  const changed = changedMembers(before, after);
  return html`<section class="conflict" role="alert" aria-labelledby="conflict-title">
    <h2 id="conflict-title">Someone changed this job while you were editing it</h2>
    <p>It is now at version ${after.version} (changed ${formatTime(after.updated_at)}); you started from version
      ${before.version}. Nothing was saved.</p>
    ${changed.length === 0 ? html`<p>Only its state moved on (no member you can edit differs).</p>` : html`
      <div class="table-scroll" tabindex="0" role="region" aria-label="What changed">
        <table>
          <thead><tr><th scope="col">Member</th><th scope="col">When you opened the form</th><th scope="col">Now</th></tr></thead>
          <tbody>${changed.map((member) => html`<tr><th scope="row">${member}</th>
            <td><code>${shown(before[member])}</code></td><td><code>${shown(after[member])}</code></td></tr>`)}</tbody>
        </table>
      </div>`}
    <div class="actions">
      <button type="button" disabled=${busy} onClick=${onTakeTheirs}>Start again from their version</button>
      <button type="button" class="danger" disabled=${busy} onClick=${onKeepMine}>Save mine over theirs</button>
    </div>
  </section>`;
}
