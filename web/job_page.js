// One job: its definition, next occurrences, runs (live), actions and history.
import { html } from "./html.js";
import * as api from "./api.js";
import { JobActions } from "./job_actions.js";
import { JobDefinition } from "./job_definition.js";
import { JobHistory } from "./job_history.js";
import { useLive } from "./live.js";
import { NextRuns } from "./next_runs.js";
import { Pager } from "./pager.js";
import { ProblemMessage } from "./problem_view.js";
import { RunTable } from "./run_table.js";
import { formatRelative, formatTime } from "./format.js";
import { paths, route, useTitle } from "./router.js";
import { JobStateBadge } from "./state_badge.js";
import { useLoad } from "./use_load.js";

const RUNS_PER_PAGE = 25;

export function JobPage() {
  const id = route.value.id;
  const cursor = route.value.query.get("runs_cursor") || undefined;
  const job = useLoad(() => api.getJob(id).then(({ data }) => data), [id]);
  const runs = useLoad(() => api.jobRuns(id, { cursor, limit: RUNS_PER_PAGE }), [id, cursor]);
  const mine = (event) => String(event.job_id) === String(id);
  useLive(job.reload, (event) => mine(event) && event.type.startsWith("job."));
  useLive(runs.reload, (event) => mine(event) && event.type.startsWith("run."));
  useTitle(job.data ? job.data.name : `Job ${id}`);

  if (job.error && !job.data) {
    return html`<h1>Job ${id}</h1><${ProblemMessage} error=${job.error} title="The job could not be loaded" />`;
  }
  if (!job.data) return html`<h1>Job ${id}</h1><p class="muted">Loading…</p>`;
  const current = job.data;
  return html`<div class="page-head">
      <h1>${current.name}</h1>
      <${JobStateBadge} job=${current} />
    </div>
    <p class="muted">Job ${current.id} in namespace ${current.namespace}</p>
    <${PauseNote} job=${current} />
    <${JobActions} job=${current} onChanged=${() => { job.reload(); runs.reload(); }} />
    <div class="columns">
      <${JobDefinition} job=${current} />
      <${NextRuns} job=${current} />
    </div>
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">Runs</h2>
      <${ProblemMessage} error=${runs.error} title="The runs could not be loaded" />
      ${runs.data && runs.data.data.length === 0 && html`<p>No runs yet.</p>`}
      ${runs.data && runs.data.data.length > 0 && html`<${RunTable} runs=${runs.data.data} label="Runs of this job" />`}
      <${Pager} label="Pages of runs" firstHref=${cursor ? paths.job(id) : null}
        nextHref=${runs.data?.next ? paths.job(id, { runs_cursor: runs.data.next }) : null} />
    </section>
    <${JobHistory} job=${current} cursor=${route.value.query.get("history_cursor") || undefined} />`;
}

// A paused job's reason and end, when its pause has them.
function PauseNote({ job }) {
  if (job.is_active || (!job.paused_reason && !job.paused_until)) return null;
  const until = job.paused_until
    ? ` until ${formatTime(job.paused_until)} (${formatRelative(job.paused_until)}), then it resumes by itself`
    : " until resumed";
  return html`<p class="pause-note" role="note">Paused${until}${job.paused_reason ? `: ${job.paused_reason}` : "."}</p>`;
}
