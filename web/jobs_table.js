// The job list as a table: one row per job, each with a box to select it.
// On its first render it shows the rows that can fill the window and the
// rest just after that frame is painted: the first screen is not held up by
// the rows below it (decision 0016).
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import { formatRelative, formatShortTime, formatTime, scheduleInWords, viewerZone } from "./format.js";
import { RunStrip } from "./run_strip.js";
import { Link, paths } from "./router.js";
import { JobStateBadge, StateBadge } from "./state_badge.js";

// A row, and the badges and links in it, are called as functions rather than rendered
// as components: fifty rows of them are most of the jobs page's first render (decision 0016).
function row(job, selected, onSelect, selectable) {
  return html`<tr key=${job.id}>
    ${selectable && html`<td class="select">
      <input type="checkbox" checked=${selected} aria-label=${`Select ${job.name}`}
        onChange=${(event) => onSelect(job.id, event.currentTarget.checked)} />
    </td>`}
    <th scope="row">${Link({ href: paths.job(job.id), children: job.name })}</th>
    <td>${job.namespace}</td>
    <td>${job.task ? job.task.type : html`<span class="muted">by name</span>`}</td>
    <td>${scheduleInWords(job)}</td>
    <td>${JobStateBadge({ job })}</td>
    <td title=${formatTime(job.next_run)}>${job.next_run ? html`${formatShortTime(job.next_run)}
      <span class="muted small"> (${formatRelative(job.next_run)})</span>` : "—"}</td>
    <td>${job.last_outcome === undefined ? "—" : StateBadge({ state: job.last_outcome || "none" })}</td>
    <td>${job.recent_runs === undefined ? "—" : RunStrip({ states: job.recent_runs })}</td>
  </tr>`;
}

// Rows that can show in the window at once: none is under 36 px high (a line of
// text and the cells' padding), and the table starts below the page's header.
const firstScreenRows = () => Math.max(10, Math.ceil(window.innerHeight / 36));

export function JobsTable({ jobs, selected, onSelect, onSelectPage, selectable }) {
  const allOnPage = jobs.length > 0 && jobs.every((job) => selected.has(job.id));
  // A plain effect runs after the browser has painted the first render.
  const [complete, setComplete] = useState(false);
  useEffect(() => setComplete(true), []);
  const shown = complete ? jobs : jobs.slice(0, firstScreenRows());
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label="Jobs">
    <table class="jobs">
      <thead><tr>
        ${selectable && html`<th scope="col" class="select"><input type="checkbox" checked=${allOnPage}
          aria-label="Select every job on this page" onChange=${(event) => onSelectPage(event.currentTarget.checked)} /></th>`}
        <th scope="col">Name</th><th scope="col">Namespace</th><th scope="col">Type</th><th scope="col">Schedule</th>
        <th scope="col">State</th><th scope="col">Next run (${viewerZone})</th><th scope="col">Last outcome</th>
        <th scope="col">Last runs, newest first</th>
      </tr></thead>
      <tbody>${shown.map((job) => row(job, selected.has(job.id), onSelect, selectable))}</tbody>
    </table>
  </div>`;
}
