// A modal question before a change that cannot be undone or touches many
// things: the browser's <dialog> (focus moves into it and stays there;
// Escape cancels). `message` says exactly what will happen.
import { useEffect, useRef } from "preact/hooks";
import { html } from "./html.js";

export function ConfirmDialog({ open, title, message, confirmLabel, danger = false, busy = false, onConfirm,
  onCancel, children }) {
  const dialog = useRef(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  const cancel = (event) => {
    event.preventDefault();
    if (!busy) onCancel();
  };
  return html`<dialog ref=${dialog} class="confirm" aria-labelledby="confirm-title" onCancel=${cancel}>
    <h2 id="confirm-title">${title}</h2>
    <p>${message}</p>
    ${children}
    <div class="actions">
      <button type="button" class=${danger ? "danger" : "primary"} disabled=${busy} onClick=${onConfirm}>
        ${busy ? "Working…" : confirmLabel}
      </button>
      <button type="button" disabled=${busy} onClick=${cancel}>Cancel</button>
    </div>
  </dialog>`;
}
