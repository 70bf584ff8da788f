// What can be done to a job from its page: run now, pause or resume, edit,
// clone, delete (after a confirmation). For a key that may only read, the
// buttons are disabled and say why; the API refuses such changes anyway.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { ConfirmDialog } from "./confirm_dialog.js";
import { Icon } from "./icons.js";
import { ProblemMessage } from "./problem_view.js";
import { Link, navigate, paths } from "./router.js";
import { mayWrite, readOnlyReason } from "./session.js";

export function JobActions({ job, onChanged }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [reason, setReason] = useState("");
  // Only a key that may not write disables the buttons: disabling the one just pressed, while
  // the request runs, would drop the keyboard focus to the page.
  const disabled = !mayWrite.value;

  const act = async (work, describe) => {
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      const answer = await work();
      setNotice(describe(answer));
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const runNow = () => act(() => api.triggerJob(job.id), ({ data }) => html`Run ${data.id} is queued:
    <${Link} href=${paths.run(data.id)}>follow it</${Link}>.`);
  const pause = () => act(() => api.pauseJob(job.id, { reason: reason.trim() || undefined }), () => {
    setReason("");
    return "Paused: it will not fire until resumed.";
  });
  const resume = () => act(() => api.resumeJob(job.id), () => "Resumed.");
  const remove = async () => {
    setBusy(true);
    try {
      await api.deleteJob(job.id);
      navigate(paths.jobs(), { replace: true });
    } catch (failure) {
      setError(failure);
      setConfirmDelete(false);
    } finally {
      setBusy(false);
    }
  };

  return html`<div class="actions-bar" role="group" aria-label="Job actions" aria-busy=${busy ? "true" : undefined}>
      <button type="button" class="primary" disabled=${disabled} onClick=${runNow}><${Icon} name="running" />Run now</button>
      ${job.is_active
        ? html`<button type="button" disabled=${disabled} onClick=${pause}><${Icon} name="paused" />Pause</button>`
        : html`<button type="button" disabled=${disabled} onClick=${resume}><${Icon} name="active" />Resume</button>`}
      ${job.is_active && html`<input type="text" class="pause-reason" aria-label="Reason for the pause (optional)"
        maxlength="500" placeholder="Reason to pause (optional)" disabled=${disabled} value=${reason}
        onInput=${(event) => setReason(event.currentTarget.value)} />`}
      ${mayWrite.value
        ? html`<${Link} class="button" href=${paths.editJob(job.id)}><${Icon} name="edit" />Edit</${Link}>
          <${Link} class="button" href=${paths.newJob({ clone: job.id })}><${Icon} name="copy" />Clone</${Link}>`
        : html`<button type="button" disabled><${Icon} name="edit" />Edit</button>
          <button type="button" disabled><${Icon} name="copy" />Clone</button>`}
      <button type="button" class="danger" disabled=${disabled} onClick=${() => setConfirmDelete(true)}>
        <${Icon} name="trash" />Delete</button>
    </div>
    ${!mayWrite.value && html`<p class="muted small">${readOnlyReason.value}</p>`}
    ${notice && html`<div class="notice notice-info" role="status">${notice}</div>`}
    <${ProblemMessage} error=${error} />
    <${ConfirmDialog} open=${confirmDelete} title=${`Delete ${job.name}?`} danger=${true} busy=${busy}
      message="The job and every run of it are deleted for good." confirmLabel="Delete the job"
      onConfirm=${remove} onCancel=${() => setConfirmDelete(false)} />`;
}
