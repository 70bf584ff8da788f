// Runs: the runs of every job, newest first, filtered by state, job,
// trigger and time range (in the URL), paged; cancel every run that matches.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { ConfirmDialog } from "./confirm_dialog.js";
import { plural, viewerZone } from "./format.js";
import { useLive } from "./live.js";
import { Pager } from "./pager.js";
import { Notice, ProblemMessage } from "./problem_view.js";
import { RunTable } from "./run_table.js";
import { navigate, paths, queryObject, route, useTitle } from "./router.js";
import { mayWrite, readOnlyReason } from "./session.js";
import { isoToLocalInput, localInputToIso } from "./time_input.js";
import { useLoad } from "./use_load.js";

const STATES = ["queued", "running", "succeeded", "failed", "timed_out", "skipped", "cancelled"];
const FILTERS = ["state", "job_id", "trigger", "scheduled_from", "scheduled_until"];

function Filters({ filters, onChange }) {
  const select = (label, name, options) => html`<label class="field-inline"><span>${label}</span>
    <select value=${filters[name] || ""} onChange=${(event) => onChange(name, event.currentTarget.value)}>
      <option value="">Any</option>${options.map((value) => html`<option value=${value}>${value}</option>`)}
    </select></label>`;
  const time = (label, name) => html`<label class="field-inline"><span>${label} (${viewerZone})</span>
    <input type="datetime-local" value=${isoToLocalInput(filters[name])}
      onChange=${(event) => onChange(name, localInputToIso(event.currentTarget.value))} /></label>`;
  return html`<form class="filters" aria-label="Filter runs" onSubmit=${(event) => event.preventDefault()}>
    ${select("State", "state", STATES)}
    <label class="field-inline"><span>Job id</span>
      <input type="number" min="1" value=${filters.job_id || ""} size="6"
        onChange=${(event) => onChange("job_id", event.currentTarget.value)} /></label>
    ${select("Trigger", "trigger", ["schedule", "manual", "backfill"])}
    ${time("Scheduled from", "scheduled_from")}
    ${time("Scheduled before", "scheduled_until")}
  </form>`;
}

function CancelMatching({ filters, onDone }) {
  const [pending, setPending] = useState(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const filter = Object.fromEntries(FILTERS.filter((name) => filters[name]).map((name) =>
    [name, name === "job_id" ? Number(filters[name]) : filters[name]]));
  const ask = async () => {
    setError(null);
    setResult(null);
    try {
      const { data } = await api.bulkRuns("cancel", filter, { dryRun: true });
      setPending(data.matched);
    } catch (failure) {
      setError(failure);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const { data } = await api.bulkRuns("cancel", filter);
      setResult(data);
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };
  return html`<div class="bulk">
    <button type="button" class="danger" disabled=${!mayWrite.value} title=${readOnlyReason.value || undefined}
      onClick=${ask}>Cancel every matching run</button>
    ${!mayWrite.value && html`<span class="muted small">${readOnlyReason.value}</span>`}
    <${ProblemMessage} error=${error} />
    ${result && html`<${Notice}>Cancelled ${result.changed}; ${result.unchanged} had already ended
      (of ${plural(result.matched, "run")} matched).</${Notice}>`}
    <${ConfirmDialog} open=${pending !== null} title=${`Cancel ${plural(pending || 0, "run")}?`} danger=${true}
      busy=${busy} message=${`Every run matching the filter that is queued or running is cancelled: ${plural(pending || 0, "run")} match now.`}
      confirmLabel=${`Cancel ${plural(pending || 0, "run")}`} onConfirm=${confirm} onCancel=${() => setPending(null)} />
  </div>`;
}

export function RunsPage() {
  useTitle("Runs");
  const filters = queryObject();
  const key = route.value.query.toString();
  const list = useLoad(() => api.listRuns({ ...filters, limit: 50 }), [key]);
  useLive(list.reload, (event) => event.type.startsWith("run."));
  const change = (name, value) => {
    const next = { ...filters, [name]: value };
    delete next.cursor;
    navigate(paths.runs(next));
  };
  const runs = list.data?.data || [];
  const { cursor, ...firstPage } = filters;
  return html`<h1>Runs</h1>
    <${Filters} filters=${filters} onChange=${change} />
    <${CancelMatching} filters=${filters} onDone=${list.reload} />
    <${ProblemMessage} error=${list.error} title="The runs could not be loaded" />
    ${list.loading && !list.data && html`<p class="muted">Loading…</p>`}
    ${list.data && runs.length === 0 && html`<${Notice}>No runs match.</${Notice}>`}
    ${runs.length > 0 && html`<${RunTable} runs=${runs} showJob=${true} label="Runs of every job" />`}
    <${Pager} label="Pages of runs" firstHref=${cursor ? paths.runs(firstPage) : null}
      nextHref=${list.data?.next ? paths.runs({ ...filters, cursor: list.data.next }) : null} />`;
}
