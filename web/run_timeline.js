// A run's life as a list of steps (scheduled, queued, started, finished),
// and the attempts before the current one, each with its error.
import { html } from "./html.js";
import { formatDuration, formatTime } from "./format.js";
import { ProblemMessage } from "./problem_view.js";
import { StateBadge } from "./state_badge.js";

const FINISHED = new Set(["succeeded", "failed", "timed_out", "skipped", "cancelled"]);

function Step({ label, time, done, children }) {
  return html`<li class=${done ? "done" : "pending"}>
    <span class="step-label">${label}</span>
    <span>${time ? html`<time datetime=${time}>${formatTime(time)}</time>` : html`<span class="muted">not yet</span>`}</span>
    ${children && html`<span class="muted small">${children}</span>`}
  </li>`;
}

export function RunTimeline({ run }) {
  const finished = FINISHED.has(run.state);
  return html`<section aria-labelledby="timeline-title">
    <h2 id="timeline-title">Timeline</h2>
    <ol class="timeline">
      <${Step} label="Scheduled for" time=${run.scheduled_for} done=${true}>
        ${run.jitter_ms ? `jitter ${formatDuration(run.jitter_ms)}` : ""}</${Step}>
      <${Step} label="Queued" time=${run.created_at} done=${true} />
      <${Step} label="Started" time=${run.started_at} done=${!!run.started_at} />
      <${Step} label="Finished" time=${run.finished_at} done=${finished}>
        ${finished ? html`<${StateBadge} state=${run.state} />` : ""}</${Step}>
    </ol>
  </section>`;
}

export function RunAttempts({ attempts }) {
  const rows = attempts.data || [];
  return html`<section aria-labelledby="attempts-title">
    <h2 id="attempts-title">Earlier attempts</h2>
    <${ProblemMessage} error=${attempts.error} title="The attempts could not be loaded" />
    ${attempts.data && rows.length === 0 && html`<p class="muted">None: this is the first attempt.</p>`}
    ${rows.length > 0 && html`<div class="table-scroll" tabindex="0" role="region" aria-label="Earlier attempts, table">
      <table>
        <thead><tr><th scope="col">Attempt</th><th scope="col">State</th><th scope="col">Started</th>
          <th scope="col">Ended</th><th scope="col">Error</th></tr></thead>
        <tbody>${rows.map((attempt) => html`<tr>
          <td>${attempt.attempt}</td><td><${StateBadge} state=${attempt.state} /></td>
          <td>${formatTime(attempt.started_at)}</td><td>${formatTime(attempt.finished_at)}</td>
          <td class="error-text">${attempt.error || "—"}</td>
        </tr>`)}</tbody>
      </table>
    </div>`}
  </section>`;
}
