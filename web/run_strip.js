// The states of a job's last runs, newest first, as a row of small marks.
// Each mark has its state's own shape (the icon), not only a colour, and the
// whole strip is described in words for screen readers.
import { html } from "./html.js";
import { Icon } from "./icons.js";
import { stateWord } from "./state_badge.js";

export function RunStrip({ states }) {
  if (!states || states.length === 0) return html`<span class="muted">no runs yet</span>`;
  const counts = {};
  for (const state of states) counts[state] = (counts[state] || 0) + 1;
  const summary = Object.entries(counts).map(([state, n]) => `${n} ${stateWord(state).toLowerCase()}`).join(", ");
  return html`<span class="run-strip" role="img" aria-label=${`Last ${states.length} runs: ${summary}`}>
    ${states.map((state) => html`<span class=${`mark state-${state}`} title=${stateWord(state)}>${Icon({ name: state })}</span>`)}
  </span>`;
}
