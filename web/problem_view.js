// An error from the API (an ApiError, or any Error), shown as a message in
// the page: what was asked, the status and the API's own words.
import { html } from "./html.js";
import { Icon } from "./icons.js";

export function ProblemMessage({ error, title }) {
  if (!error) return null;
  return html`<div class="problem" role="alert">
    <${Icon} name="warning" />
    <div>
      <strong>${title || (error.status ? `${error.status} ${error.title}` : "Something went wrong")}</strong>
      <p>${error.detail || error.message}</p>
      ${error.request && html`<p class="muted small">${error.request}</p>`}
    </div>
  </div>`;
}

// A note that is not an error: the result of an action, an empty list.
export function Notice({ children, kind = "info" }) {
  return html`<div class=${`notice notice-${kind}`} role="status"><${Icon} name=${kind === "warning" ? "warning" : "info"} /><div>${children}</div></div>`;
}
