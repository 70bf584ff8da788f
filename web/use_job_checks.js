// The job form's checks as you type, a moment after the last change: the
// service validates the whole job with a dry run (POST /jobs or PATCH
// /jobs/{id} with ?dry_run=true; nothing is written) and its message for a
// field is shown at that field; the schedule's next occurrences come from
// POST /schedules/preview.
import { useEffect, useState } from "preact/hooks";
import * as api from "./api.js";
import { controlFor, jobFrom, patchFrom, scheduleFrom } from "./job_form_model.js";

const DELAY_MS = 400;

function useDebounced(effect, deps) {
  useEffect(() => {
    let stale = false;
    const timer = setTimeout(() => effect(() => stale), DELAY_MS);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
  }, deps);
}

// -> {errors: {control: message}, general: ApiError|null, status: "idle"|"checking"|"ok"|"invalid"|"unsupported"}
export function useValidation(values, { editingId, etag, enabled }) {
  const [result, setResult] = useState({ errors: {}, general: null, status: "idle" });
  useDebounced(async (isStale) => {
    if (!values || !enabled) return;
    if (!(await api.supportsDryRun())) {
      if (!isStale()) setResult({ errors: {}, general: null, status: "unsupported" });
      return;
    }
    setResult((previous) => ({ ...previous, status: "checking" }));
    try {
      if (editingId) await api.updateJob(editingId, patchFrom(values), etag, { dryRun: true });
      else await api.createJob(jobFrom(values), { dryRun: true });
      if (!isStale()) setResult({ errors: {}, general: null, status: "ok" });
    } catch (error) {
      if (isStale()) return;
      const control = error.status === 400 ? controlFor(error.field, values) : null;
      setResult(control ? { errors: { [control]: error.detail }, general: null, status: "invalid" }
        : { errors: {}, general: error, status: "invalid" });
    }
  }, [values, enabled, etag]);
  return result;
}

const SCHEDULE_MEMBERS = ["schedule", "interval", "every", "cron", "timezone", "at", "start_at", "end_at"];

// -> {data: [instants] | null, error, loading}
export function usePreview(values) {
  const [preview, setPreview] = useState({ data: null, error: null, loading: false });
  const key = values ? SCHEDULE_MEMBERS.map((name) => values[name]).join("\u0000") : "";
  useDebounced(async (isStale) => {
    if (!values) return;
    setPreview((previous) => ({ ...previous, loading: true }));
    try {
      const { data } = await api.previewSchedule({ ...scheduleFrom(values), count: 10 });
      if (!isStale()) setPreview({ data: data.next_runs, error: null, loading: false });
    } catch (error) {
      if (!isStale()) setPreview({ data: null, error, loading: false });
    }
  }, [key]);
  return preview;
}
