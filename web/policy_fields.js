// The job form's limits and policies: timeout, retries, missed runs,
// overlapping runs, jitter, and whether the job starts active.
import { html } from "./html.js";
import { CheckField, SelectField, TextField } from "./form_field.js";

const MISFIRE = [["run_once", "Run the oldest missed one, skip the rest"], ["skip", "Skip them all"],
  ["run_all", "Run all within the catch-up window"]];
const OVERLAP = [["skip", "Skip the new run"], ["allow", "Run both at once"], ["queue", "Queue it until the earlier ends"]];

export function PolicyFields({ form }) {
  return html`<fieldset class="group">
    <legend>Limits and policies</legend>
    <div class="row">
      <${TextField} form=${form} name="timeout" label="Timeout of one attempt" hint="At most 24h; default 1m" />
      <${TextField} form=${form} name="jitter" label="Jitter" hint="Random start delay up to this, e.g. 30s; 0s for none" />
    </div>
    <div class="row">
      <${TextField} form=${form} name="retry.max_attempts" label="Attempts in all" type="number" min="1" max="100" />
      <${TextField} form=${form} name="retry.initial_delay" label="First retry after" />
      <${TextField} form=${form} name="retry.max_delay" label="Longest wait between retries" />
      <${TextField} form=${form} name="retry.jitter" label="Retry jitter (0 to 1)" type="number" step="0.05" min="0" max="1" />
    </div>
    <div class="row">
      <${SelectField} form=${form} name="misfire" label="Missed runs (service down or behind)" options=${MISFIRE} />
      <${TextField} form=${form} name="catchup_window" label="Catch-up window" hint="For run all: how far back" />
      <${SelectField} form=${form} name="overlap" label="When the previous run has not finished" options=${OVERLAP} />
    </div>
    <${CheckField} form=${form} name="is_active" label="Active (unchecked: created paused)" />
  </fieldset>`;
}
