// A job's next occurrences, computed by the service (GET /jobs/{id}/next,
// DST-correct), shown in the job's own zone and in the viewer's.
import { html } from "./html.js";
import * as api from "./api.js";
import { formatTime, viewerZone } from "./format.js";
import { ProblemMessage } from "./problem_view.js";
import { useLoad } from "./use_load.js";

export function NextRuns({ job }) {
  const zone = job.timezone || "UTC";
  const next = useLoad(() => api.nextRuns(job.id, viewerZone, 10).then(({ data }) => data), [job.id, job.version, job.next_run]);
  const runs = next.data?.next_runs || [];
  return html`<section aria-labelledby="next-title">
    <h2 id="next-title">Next occurrences</h2>
    ${!job.is_active && html`<p class="muted">The job is paused: these are the times it would get if resumed now.</p>`}
    <${ProblemMessage} error=${next.error} title="The next occurrences could not be loaded" />
    ${next.data && runs.length === 0 && html`<p>The schedule has nothing left to fire.</p>`}
    ${runs.length > 0 && html`<div class="table-scroll" tabindex="0" role="region" aria-label="Next occurrences, table">
      <table>
        <thead><tr><th scope="col">#</th><th scope="col">In the job's zone (${zone})</th>
          <th scope="col">In your zone (${viewerZone})</th></tr></thead>
        <tbody>${runs.map((run, index) => html`<tr>
          <td>${index + 1}</td><td>${formatTime(run.utc, zone)}</td><td>${formatTime(run.utc, viewerZone)}</td>
        </tr>`)}</tbody>
      </table>
    </div>`}
  </section>`;
}
