// New job, clone and edit: a form for every member of the API's job,
// checked by the service as you type. An edit sends If-Match with the ETag
// read, and when someone changed the job meanwhile (412) shows what changed
// instead of overwriting it.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { ConflictView } from "./conflict_view.js";
import { fieldId, TextField } from "./form_field.js";
import { controlFor, emptyValues, jobFrom, patchFrom, valuesFromJob } from "./job_form_model.js";
import { PolicyFields } from "./policy_fields.js";
import { Notice, ProblemMessage } from "./problem_view.js";
import { Link, navigate, paths, route, useTitle } from "./router.js";
import { ScheduleFields } from "./schedule_fields.js";
import { TaskFields } from "./task_fields.js";
import { usePreview, useValidation } from "./use_job_checks.js";
import { useLoad } from "./use_load.js";

// A copy starts with a new name and without the signing secret, which the
// API shows only as REDACTED (other secrets stay REDACTED, to be typed again).
function cloneValues(job) {
  const values = { ...valuesFromJob(job), name: `Copy of ${job.name}` };
  if (values["task.signing_secret"] === "REDACTED") values["task.signing_secret"] = "";
  return values;
}

const STATUS = {
  checking: "Checking with the service…",
  ok: "The service accepts this job.",
  invalid: "The service refuses this job as it is: see the message below the field.",
  unsupported: "This service does not check jobs before saving; it will check on save.",
};

function Status({ status }) {
  return html`<p class=${`check-status check-${status}`} role="status">${STATUS[status] || ""}</p>`;
}

export function JobFormPage() {
  const editingId = route.value.name === "edit-job" ? route.value.id : null;
  const cloneId = route.value.query.get("clone");
  const sourceId = editingId || cloneId;
  const source = useLoad(() => (sourceId ? api.getJob(sourceId) : Promise.resolve(null)), [sourceId]);
  const [base, setBase] = useState(null); // {job, etag}: what an edit started from
  const [values, setValues] = useState(null);
  const [dirty, setDirty] = useState(false);
  const [saveError, setSaveError] = useState(null);
  const [fieldErrors, setFieldErrors] = useState({});
  const [conflict, setConflict] = useState(null); // {job, etag}: the job as it is now
  const [saving, setSaving] = useState(false);
  useTitle(editingId ? `Edit job ${editingId}` : "New job");

  useEffect(() => {
    if (sourceId && !source.data) return;
    const job = source.data?.data;
    setBase(job ? { job, etag: source.data.etag } : null);
    if (!job) setValues(emptyValues());
    else if (editingId) setValues(valuesFromJob(job));
    else setValues(cloneValues(job));
  }, [source.data]);

  const check = useValidation(values, { editingId, etag: base?.etag, enabled: dirty });
  // A dry run of the edit refused with 412: someone changed the job since the form opened.
  // Show what changed now, before any save.
  useEffect(() => {
    if (check.general?.status !== 412 || conflict || !editingId) return;
    api.getJob(editingId).then(({ data, etag }) => setConflict({ job: data, etag }), () => {});
  }, [check.general]);
  const preview = usePreview(values);
  const errors = { ...check.errors, ...fieldErrors };
  const form = {
    values: values || {},
    errors,
    set(name, value) {
      setValues((previous) => ({ ...previous, [name]: value }));
      setDirty(true);
      setFieldErrors({});
    },
  };

  const save = async (etag = base?.etag) => {
    setSaving(true);
    setSaveError(null);
    try {
      if (editingId) {
        await api.updateJob(editingId, patchFrom(values), etag);
        navigate(paths.job(editingId));
      } else {
        const { data } = await api.createJob(jobFrom(values));
        navigate(paths.job(data.id));
      }
    } catch (error) {
      if (error.status === 412 && editingId) {
        const now = await api.getJob(editingId);
        setConflict({ job: now.data, etag: now.etag });
      } else {
        const control = error.status === 400 ? controlFor(error.field, values) : null;
        if (control) {
          setFieldErrors({ [control]: error.detail });
          document.getElementById(fieldId(control))?.focus();
        } else {
          setSaveError(error);
        }
      }
    } finally {
      setSaving(false);
    }
  };
  const takeTheirs = () => {
    setBase(conflict);
    setValues(valuesFromJob(conflict.job));
    setConflict(null);
  };

  const title = editingId ? `Edit ${base?.job?.name || `job ${editingId}`}` : cloneId ? "New job (a copy)" : "New job";
  if (source.error) return html`<h1>${title}</h1><${ProblemMessage} error=${source.error} title="The job could not be loaded" />`;
  if (!values) return html`<h1>${title}</h1><p class="muted">Loading…</p>`;
  return html`<h1>${title}</h1>
    <form class="job-form" novalidate onSubmit=${(event) => { event.preventDefault(); save(); }}>
      <fieldset class="group">
        <legend>Job</legend>
        <${TextField} form=${form} name="name" label="Name" required=${true} autocomplete="off" />
        ${editingId ? html`<p>Namespace: <strong>${values.namespace}</strong> <span class="muted">(a job never moves)</span></p>`
          : html`<${TextField} form=${form} name="namespace" label="Namespace, optional" hint="Your key's own when empty" />`}
      </fieldset>
      <${ScheduleFields} form=${form} preview=${preview} />
      <${TaskFields} form=${form} />
      <${PolicyFields} form=${form} />
      <${Status} status=${check.status} />
      <${ProblemMessage} error=${check.general?.status === 412 ? saveError : check.general || saveError} />
      ${conflict && html`<${ConflictView} before=${base.job} after=${conflict.job} busy=${saving}
        onTakeTheirs=${takeTheirs} onKeepMine=${() => { const next = conflict; setBase(next); setConflict(null); save(next.etag); }} />`}
      <div class="actions">
        <button type="submit" class="primary" disabled=${saving}>${saving ? "Saving…" : editingId ? "Save changes" : "Create job"}</button>
        <${Link} class="button" href=${editingId ? paths.job(editingId) : paths.jobs()}>Cancel</${Link}>
      </div>
      ${cloneId && html`<${Notice}>Copied from job ${cloneId}; secrets stay REDACTED and must be typed again.</${Notice}>`}
    </form>`;
}
