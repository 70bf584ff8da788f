// One run: scheduled -> queued -> started -> finished, every attempt with its
// error, the output, live while it runs; cancel it, or run the job again.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { formatDuration, formatTime, lateness } from "./format.js";
import { Icon } from "./icons.js";
import { useLive } from "./live.js";
import { ProblemMessage } from "./problem_view.js";
import { Link, navigate, paths, route, useTitle } from "./router.js";
import { mayWrite, readOnlyReason } from "./session.js";
import { StateBadge } from "./state_badge.js";
import { useLoad } from "./use_load.js";
import { RunTimeline, RunAttempts } from "./run_timeline.js";

const UNFINISHED = new Set(["queued", "running"]);
// How the page says why a run exists, by its trigger.
const TRIGGER_TEXT = { schedule: "its schedule", manual: "hand (run now)", backfill: "a backfill of past occurrences" };

// The output as text; a compute result's JSON indented.
function outputText(output) {
  try {
    const parsed = JSON.parse(output);
    if (parsed && typeof parsed === "object") return JSON.stringify(parsed, null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return output;
}

function Actions({ run, onChanged }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const act = async (work) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => act(async () => { await api.cancelRun(run.job_id, run.id); onChanged(); });
  const again = () => act(async () => {
    const { data } = await api.triggerJob(run.job_id);
    navigate(paths.run(data.id));
  });
  // Not disabled while busy: that would drop the keyboard focus (see job_actions.js).
  const disabled = !mayWrite.value;
  return html`<div class="actions-bar" role="group" aria-label="Run actions">
      ${UNFINISHED.has(run.state) && html`<button type="button" class="danger" disabled=${disabled} onClick=${cancel}>
        <${Icon} name="cancelled" />Cancel the run</button>`}
      <button type="button" disabled=${disabled} onClick=${again}><${Icon} name="running" />Run the job again</button>
    </div>
    ${!mayWrite.value && html`<p class="muted small">${readOnlyReason.value}</p>`}
    <${ProblemMessage} error=${error} />`;
}

export function RunPage() {
  const id = route.value.id;
  const run = useLoad(() => api.getRun(id).then(({ data }) => data), [id]);
  const jobId = run.data?.job_id;
  const job = useLoad(() => (jobId ? api.getJob(jobId).then(({ data }) => data) : Promise.resolve(null)), [jobId]);
  const attempts = useLoad(() => api.runAttempts(id).then(({ data }) => data), [id, run.data?.attempt]);
  useLive(run.reload, (event) => String(event.run_id) === String(id));
  useTitle(`Run ${id}`);

  if (run.error && !run.data) {
    return html`<h1>Run ${id}</h1><${ProblemMessage} error=${run.error} title="The run could not be loaded" />`;
  }
  if (!run.data) return html`<h1>Run ${id}</h1><p class="muted">Loading…</p>`;
  const current = run.data;
  return html`<div class="page-head">
      <h1>Run ${current.id}</h1>
      <${StateBadge} state=${current.state} />
    </div>
    <p>Of <${Link} href=${paths.job(current.job_id)}>${job.data ? job.data.name : `job ${current.job_id}`}</${Link}>,
      triggered by ${TRIGGER_TEXT[current.trigger] || "its schedule"}; attempt ${current.attempt}.</p>
    <${Actions} run=${current} onChanged=${run.reload} />
    <${RunTimeline} run=${current} />
    <section aria-labelledby="result-title">
      <h2 id="result-title">Result</h2>
      <dl class="definition">
        <div><dt>Duration</dt><dd>${formatDuration(current.duration_ms)}</dd></div>
        <div><dt>Started late by</dt><dd>${formatDuration(lateness(current))}</dd></div>
        ${current.cancel_requested_at && html`<div><dt>Cancel asked at</dt><dd>${formatTime(current.cancel_requested_at)}</dd></div>`}
      </dl>
      ${current.error && html`<h3>Error</h3><pre class="code error-text" tabindex="0" aria-label="Error">${current.error}</pre>`}
      <h3>Output</h3>
      ${current.output
        ? html`<pre class="code" tabindex="0" aria-label="Output">${outputText(current.output)}</pre>`
        : html`<p class="muted">${UNFINISHED.has(current.state) ? "None yet: the run has not ended." : "None."}</p>`}
    </section>
    <${RunAttempts} attempts=${attempts} />`;
}
