// A run's or job's state as a word with an icon: colour is never the only signal.
import { html } from "./html.js";
import { Icon } from "./icons.js";

const WORDS = {
  queued: "Queued",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  timed_out: "Timed out",
  skipped: "Skipped",
  cancelled: "Cancelled",
  active: "Active",
  paused: "Paused",
  none: "No runs yet",
};

export const stateWord = (state) => WORDS[state] || String(state);

export function StateBadge({ state }) {
  const known = WORDS[state] ? state : "none";
  // Icon called, not rendered as a component of its own: badges come by the hundred in
  // tables, and a component instance each costs the first render of a page (decision 0016).
  return html`<span class=${`badge state-${known}`}>${Icon({ name: known })}${stateWord(state)}</span>`;
}

export function JobStateBadge({ job }) {
  return StateBadge({ state: job.is_active ? "active" : "paused" });
}
