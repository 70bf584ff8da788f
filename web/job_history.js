// A job's audit history (GET /jobs/{id}/history, docs/decisions/0015): who
// changed what and when, newest first, a page at a time.
import { html } from "./html.js";
import * as api from "./api.js";
import { formatRelative, formatTime } from "./format.js";
import { useLive } from "./live.js";
import { Pager } from "./pager.js";
import { ProblemMessage } from "./problem_view.js";
import { paths } from "./router.js";
import { useLoad } from "./use_load.js";

const ENTRIES_PER_PAGE = 20;
const ACTIONS = {
  "job.created": "Created", "job.updated": "Changed", "job.paused": "Paused", "job.resumed": "Resumed",
  "job.deleted": "Deleted", "job.run_now": "Run now", "job.backfilled": "Backfilled",
};
// Members every change moves on: not worth naming.
const BOOKKEEPING = new Set(["updated_at", "version", "next_run", "last_run"]);

// The members a change gave another value, as "name, every".
function changedMembers(before, after) {
  if (!before || !after) return "";
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((name) => !BOOKKEEPING.has(name) &&
    JSON.stringify(before[name]) !== JSON.stringify(after[name])).join(", ");
}

function What({ entry }) {
  const word = ACTIONS[entry.action] || entry.action;
  if (entry.action === "job.backfilled" && entry.after) {
    return `${word}: ${entry.after.created} runs queued, ${entry.after.existing} existed`;
  }
  const members = entry.action === "job.updated" ? changedMembers(entry.before, entry.after) : "";
  return members ? `${word}: ${members}` : word;
}

// `cursor`: the page asked for (the page's history_cursor), or undefined for the newest.
export function JobHistory({ job, cursor }) {
  const history = useLoad(() => api.jobHistory(job.id, { cursor, limit: ENTRIES_PER_PAGE }),
    [job.id, job.version, cursor]);
  // A run now or a backfill changes no version: any event of the job may add an entry.
  useLive(history.reload, (event) => String(event.job_id) === String(job.id));
  const entries = history.data?.data || [];
  return html`<section aria-labelledby="history-title">
    <h2 id="history-title">History</h2>
    <${ProblemMessage} error=${history.error} title="The history could not be loaded" />
    ${history.data && entries.length === 0 && html`<p>No recorded changes.</p>`}
    ${entries.length > 0 && html`<div class="table-scroll" tabindex="0" role="region" aria-label="History of this job">
      <table>
        <thead><tr><th scope="col">When</th><th scope="col">Change</th><th scope="col">By</th>
          <th scope="col">From</th><th scope="col">Request</th></tr></thead>
        <tbody>${entries.map((entry) => html`<tr key=${entry.id}>
          <td title=${formatTime(entry.at)}>${formatRelative(entry.at)}</td>
          <td><${What} entry=${entry} /></td><td>${entry.actor}</td><td>${entry.source || "—"}</td>
          <td><code>${entry.request_id || "—"}</code></td>
        </tr>`)}</tbody>
      </table>
    </div>`}
    <${Pager} label="Pages of the history" firstHref=${cursor ? paths.job(job.id) : null}
      nextHref=${history.data?.next ? paths.job(job.id, { history_cursor: history.data.next }) : null} />
  </section>`;
}
