// The schedule part of the job form: one of every / cron (with a time zone
// picked from the browser's list) / named interval / at; the window
// (start, end); and the next occurrences as the service computes them
// (POST /schedules/preview), updated as you type.
import { html } from "./html.js";
import { formatTime, viewerZone } from "./format.js";
import { SelectField, TextField } from "./form_field.js";
import { ProblemMessage } from "./problem_view.js";

const KINDS = [
  ["every", "Every (a fixed period)"],
  ["cron", "Cron expression, in a time zone"],
  ["interval", "Named interval (hourly, daily, ...)"],
  ["at", "Once, at a time"],
];
const INTERVALS = [["hourly", "hourly: minute 0 of every hour"], ["daily", "daily: 10:00 UTC"],
  ["weekly", "weekly: Mondays 10:00 UTC"], ["monthly", "monthly: the 1st, 10:00 UTC"],
  ["hourly_for_today", "hourly_for_today: hourly until midnight UTC"]];

function zones() {
  const all = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return all.includes("UTC") ? all : ["UTC", ...all];
}

function KindPicker({ form }) {
  return html`<fieldset class="choices">
    <legend>How it repeats</legend>
    ${KINDS.map(([value, label]) => html`<label>
      <input type="radio" name="schedule" value=${value} checked=${form.values.schedule === value}
        onChange=${() => form.set("schedule", value)} />${label}</label>`)}
  </fieldset>`;
}

function Preview({ preview, zone }) {
  if (preview.error) return html`<${ProblemMessage} error=${preview.error} title="No preview" />`;
  const runs = preview.data || [];
  return html`<div class="preview" aria-live="polite">
    <h2 class="h3">Next occurrences</h2>
    ${runs.length === 0 ? html`<p class="muted">${preview.loading ? "Computing…" : "None."}</p>` : html`<ol>
      ${runs.map((utc) => html`<li>${formatTime(utc, viewerZone)}${zone !== viewerZone
        ? html`<span class="muted small"> · ${formatTime(utc, zone)}</span>` : ""}</li>`)}
    </ol>`}
  </div>`;
}

// `preview`: {data: [instants], error, loading}.
export function ScheduleFields({ form, preview }) {
  const kind = form.values.schedule;
  const zone = kind === "cron" ? form.values.timezone || "UTC" : "UTC";
  return html`<fieldset class="group">
    <legend>Schedule</legend>
    <${KindPicker} form=${form} />
    ${kind === "every" && html`<${TextField} form=${form} name="every" label="Period" required=${true}
      hint="A duration: 30s, 15m, 1h30m, 1d, 1w. The first run is one period from now (or from the start)." />`}
    ${kind === "cron" && html`<${TextField} form=${form} name="cron" label="Cron expression" required=${true}
        hint="minute hour day-of-month month day-of-week, e.g. 0 9 * * MON-FRI" spellcheck="false" />
      <${TextField} form=${form} name="timezone" label="Time zone" list="time-zones"
        hint=${`An IANA zone; yours is ${viewerZone}. Daylight-saving changes are handled.`} />
      <datalist id="time-zones">${zones().map((name) => html`<option value=${name}></option>`)}</datalist>`}
    ${kind === "interval" && html`<${SelectField} form=${form} name="interval" label="Interval" options=${INTERVALS} />`}
    ${kind === "at" && html`<${TextField} form=${form} name="at" type="datetime-local" label=${`When (${viewerZone})`}
      required=${true} />`}
    ${kind !== "at" && html`<div class="row">
      <${TextField} form=${form} name="start_at" type="datetime-local" label=${`Start (${viewerZone}), optional`} />
      <${TextField} form=${form} name="end_at" type="datetime-local" label=${`End, exclusive (${viewerZone}), optional`} />
    </div>`}
    <${Preview} preview=${preview} zone=${zone} />
  </fieldset>`;
}
