// The job list as a table: one row per job, each with a box to select it.
import { html } from "./html.js";
import { formatRelative, formatShortTime, formatTime, scheduleInWords, viewerZone } from "./format.js";
import { RunStrip } from "./run_strip.js";
import { Link, paths } from "./router.js";
import { JobStateBadge, StateBadge } from "./state_badge.js";

function Row({ job, selected, onSelect, selectable }) {
  return html`<tr>
    ${selectable && html`<td class="select">
      <input type="checkbox" checked=${selected} aria-label=${`Select ${job.name}`}
        onChange=${(event) => onSelect(job.id, event.currentTarget.checked)} />
    </td>`}
    <th scope="row"><${Link} href=${paths.job(job.id)}>${job.name}</${Link}></th>
    <td>${job.namespace}</td>
    <td>${job.task ? job.task.type : html`<span class="muted">by name</span>`}</td>
    <td>${scheduleInWords(job)}</td>
    <td><${JobStateBadge} job=${job} /></td>
    <td title=${formatTime(job.next_run)}>${job.next_run ? html`${formatShortTime(job.next_run)}
      <span class="muted small"> (${formatRelative(job.next_run)})</span>` : "—"}</td>
    <td>${job.last_outcome === undefined ? "—" : html`<${StateBadge} state=${job.last_outcome || "none"} />`}</td>
    <td>${job.recent_runs === undefined ? "—" : html`<${RunStrip} states=${job.recent_runs} />`}</td>
  </tr>`;
}

export function JobsTable({ jobs, selected, onSelect, onSelectPage, selectable }) {
  const allOnPage = jobs.length > 0 && jobs.every((job) => selected.has(job.id));
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label="Jobs">
    <table class="jobs">
      <thead><tr>
        ${selectable && html`<th scope="col" class="select"><input type="checkbox" checked=${allOnPage}
          aria-label="Select every job on this page" onChange=${(event) => onSelectPage(event.currentTarget.checked)} /></th>`}
        <th scope="col">Name</th><th scope="col">Namespace</th><th scope="col">Type</th><th scope="col">Schedule</th>
        <th scope="col">State</th><th scope="col">Next run (${viewerZone})</th><th scope="col">Last outcome</th>
        <th scope="col">Last runs, newest first</th>
      </tr></thead>
      <tbody>${jobs.map((job) => html`<${Row} key=${job.id} job=${job} selected=${selected.has(job.id)}
        onSelect=${onSelect} selectable=${selectable} />`)}</tbody>
    </table>
  </div>`;
}
