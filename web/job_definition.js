// What a job is, as the API shows it: its schedule, task (secrets already
// REDACTED by the API), limits and policies.
import { html } from "./html.js";
import { durationInWords, formatTime, scheduleInWords } from "./format.js";

function Item({ term, children }) {
  return html`<div><dt>${term}</dt><dd>${children}</dd></div>`;
}

function scheduleText(job) {
  if (job.interval) return `interval: ${job.interval}`;
  if (job.every) return `every: ${job.every}`;
  if (job.cron) return `cron: ${job.cron} (${job.timezone || "UTC"})`;
  return `at: ${job.at}`;
}

export function JobDefinition({ job }) {
  const retry = job.retry;
  return html`<section aria-labelledby="definition-title">
    <h2 id="definition-title">Definition</h2>
    <dl class="definition">
      <${Item} term="Schedule">${scheduleInWords(job)} <code>${scheduleText(job)}</code></${Item}>
      ${job.start_at && html`<${Item} term="Starts">${formatTime(job.start_at)}</${Item}>`}
      ${job.end_at && html`<${Item} term="Ends (exclusive)">${formatTime(job.end_at)}</${Item}>`}
      <${Item} term="Next run">${formatTime(job.next_run)}</${Item}>
      <${Item} term="Last run">${formatTime(job.last_run)}</${Item}>
      <${Item} term="Task">${job.task ? job.task.type : "none: chosen by the job's name"}</${Item}>
      <${Item} term="Timeout">${durationInWords(job.timeout)}</${Item}>
      <${Item} term="Retry">${retry.max_attempts === 1 ? "no retries (one attempt)"
        : `up to ${retry.max_attempts} attempts, waiting ${retry.initial_delay} doubling up to ${retry.max_delay}, jitter ${retry.jitter}`}</${Item}>
      <${Item} term="Missed runs">${job.misfire}${job.misfire === "run_all" ? ` (within ${job.catchup_window})` : ""}</${Item}>
      <${Item} term="Overlap">${job.overlap}</${Item}>
      <${Item} term="Jitter">${job.jitter}</${Item}>
      <${Item} term="Namespace">${job.namespace}</${Item}>
      <${Item} term="Labels">${Object.keys(job.labels || {}).length
        ? Object.entries(job.labels).map(([key, value]) => `${key}=${value}`).join(", ") : "none"}</${Item}>
      <${Item} term="Created">${formatTime(job.created_at)}</${Item}>
      <${Item} term="Changed">${formatTime(job.updated_at)} (version ${job.version})</${Item}>
    </dl>
    ${job.task && html`<details open>
      <summary>The task as stored</summary>
      <pre class="code" tabindex="0" aria-label="The task as JSON">${JSON.stringify(job.task, null, 2)}</pre>
    </details>`}
  </section>`;
}
