// Pause, resume, run now or delete many jobs at once: the selected ones, or
// every job matching the filter (POST /jobs/bulk), after a confirmation that
// says how many (for a filter, as the API counts them with a dry run).
import { useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { ConfirmDialog } from "./confirm_dialog.js";
import { describeFilters } from "./job_filters.js";
import { plural } from "./format.js";
import { ProblemMessage } from "./problem_view.js";

const ACTIONS = [
  ["pause", "Pause", "Paused"],
  ["resume", "Resume", "Resumed"],
  ["trigger", "Run now", "Started"],
  ["delete", "Delete", "Deleted"],
];

// The filter of GET /jobs as the bulk endpoint takes it (JSON types).
function bulkFilter(filters) {
  const filter = {};
  for (const name of ["q", "type", "namespace", "label", "last_outcome"]) if (filters[name]) filter[name] = filters[name];
  if (filters.is_active) filter.is_active = filters.is_active === "true";
  return filter;
}

function Outcome({ result, label }) {
  const failed = result.failed || [];
  return html`<div class="notice notice-info" role="status">
    <p>${label}: ${result.changed} changed, ${result.unchanged} unchanged, ${failed.length} failed
      (of ${plural(result.matched, "job")} matched).</p>
    ${failed.length > 0 && html`<ul>${failed.slice(0, 10).map((item) => html`<li>Job ${item.id}: ${item.detail}</li>`)}</ul>`}
  </div>`;
}

// `selection`: {mode: "ids", ids} or {mode: "filter"}; `filters`: the view's query.
export function BulkActions({ selection, filters, disabledReason, onDone }) {
  const [pending, setPending] = useState(null); // {action, label, verb, count}
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [result, setResult] = useState(null);
  const target = selection.mode === "filter" ? { filter: bulkFilter(filters) } : { ids: selection.ids };
  const nothing = selection.mode === "ids" && selection.ids.length === 0;

  const ask = async ([action, label, verb]) => {
    setError(null);
    setResult(null);
    if (selection.mode === "ids") return setPending({ action, label, verb, count: selection.ids.length });
    try {
      const { data } = await api.bulkJobs(action, target, { dryRun: true });
      setPending({ action, label, verb, count: data.matched });
    } catch (failure) {
      setError(failure);
    }
  };
  const confirm = async () => {
    setBusy(true);
    try {
      const { data } = await api.bulkJobs(pending.action, target);
      setResult({ data, verb: pending.verb });
      onDone();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
      setPending(null);
    }
  };
  const what = pending && (selection.mode === "filter"
    ? `${pending.label} all ${plural(pending.count, "job")} matching the filter (${describeFilters(filters)})?`
    : `${pending.label} the ${plural(pending.count, "selected job")}?`);
  return html`<div class="bulk" role="group" aria-label="Change the selected jobs">
    ${ACTIONS.map((action) => html`<button type="button" class=${action[0] === "delete" ? "danger" : ""}
      disabled=${nothing || !!disabledReason} title=${disabledReason || undefined} onClick=${() => ask(action)}>${action[1]}</button>`)}
    ${disabledReason ? html`<span class="muted small">${disabledReason}</span>`
      : nothing && html`<span class="muted small">Select jobs to change them.</span>`}
    <${ProblemMessage} error=${error} />
    ${result && html`<${Outcome} result=${result.data} label=${result.verb} />`}
    <${ConfirmDialog} open=${!!pending} title=${pending ? `${pending.label}: ${plural(pending.count, "job")}` : ""}
      message=${what || ""} confirmLabel=${pending ? `${pending.label} ${plural(pending.count, "job")}` : ""}
      danger=${pending?.action === "delete"} busy=${busy} onConfirm=${confirm} onCancel=${() => setPending(null)}>
      ${pending?.action === "delete" && html`<p><strong>Deleting removes the jobs and all their runs.</strong></p>`}
    </${ConfirmDialog}>
  </div>`;
}
