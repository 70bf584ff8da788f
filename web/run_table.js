// Runs as a table (a job's runs, or every job's): state, trigger, when it
// was scheduled, started and finished, how long it ran, the attempt, and how
// late it started.
import { html } from "./html.js";
import { formatDuration, formatShortTime, formatTime, lateness, viewerZone } from "./format.js";
import { Link, paths } from "./router.js";
import { StateBadge } from "./state_badge.js";

function Time({ iso }) {
  return iso ? html`<time datetime=${iso} title=${formatTime(iso)}>${formatShortTime(iso)}</time>` : "—";
}

export function RunTable({ runs, showJob = false, label = "Runs" }) {
  return html`<div class="table-scroll" tabindex="0" role="region" aria-label=${label}>
    <table class="runs">
      <thead><tr>
        <th scope="col">Run</th>${showJob && html`<th scope="col">Job</th>`}<th scope="col">State</th>
        <th scope="col">Trigger</th><th scope="col">Scheduled (${viewerZone})</th><th scope="col">Started</th>
        <th scope="col">Finished</th><th scope="col">Duration</th><th scope="col">Attempt</th><th scope="col">Lateness</th>
      </tr></thead>
      <tbody>${runs.map((run) => html`<tr key=${run.id}>
        <th scope="row"><${Link} href=${paths.run(run.id)}>Run ${run.id}</${Link}></th>
        ${showJob && html`<td><${Link} href=${paths.job(run.job_id)}>Job ${run.job_id}</${Link}></td>`}
        <td><${StateBadge} state=${run.state} /></td>
        <td>${run.trigger}</td>
        <td><${Time} iso=${run.scheduled_for} /></td>
        <td><${Time} iso=${run.started_at} /></td>
        <td><${Time} iso=${run.finished_at} /></td>
        <td>${formatDuration(run.duration_ms)}</td>
        <td>${run.attempt}</td>
        <td>${formatDuration(lateness(run))}</td>
      </tr>`)}</tbody>
    </table>
  </div>`;
}
