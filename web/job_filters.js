// The filters of the job list, kept in the URL: search on the name (a
// substring), task type, active or paused, namespace, label selector, last
// outcome, sort.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";

const TYPES = ["noop", "http", "email", "compute", "shell"];
const OUTCOMES = [["succeeded", "Succeeded"], ["failed", "Failed"], ["timed_out", "Timed out"],
  ["cancelled", "Cancelled"], ["skipped", "Skipped"], ["none", "No runs yet"]];
const SORTS = [["id", "Oldest first"], ["-id", "Newest first"], ["name", "Name, A to Z"], ["-name", "Name, Z to A"],
  ["next_run", "Next run, soonest first"], ["-next_run", "Next run, latest first"]];

function Select({ label, name, value, options, onChange, all = "Any" }) {
  return html`<label class="field-inline">
    <span>${label}</span>
    <select name=${name} value=${value || ""} onChange=${(event) => onChange(name, event.currentTarget.value)}>
      ${all !== null && html`<option value="">${all}</option>`}
      ${options.map(([optionValue, optionLabel]) => html`<option value=${optionValue}>${optionLabel}</option>`)}
    </select>
  </label>`;
}

// `filters`: the query of the current view; `onChange(name, value)` moves to the view with it changed.
export function JobFilters({ filters, onChange }) {
  // The search box answers as you type, a moment after the last key.
  const [text, setText] = useState(filters.q || "");
  useEffect(() => setText(filters.q || ""), [filters.q]);
  useEffect(() => {
    if (text === (filters.q || "")) return undefined;
    const timer = setTimeout(() => onChange("q", text), 300);
    return () => clearTimeout(timer);
  }, [text]);
  return html`<form class="filters" role="search" aria-label="Filter jobs" onSubmit=${(event) => {
      event.preventDefault();
      onChange("q", text);
    }}>
    <label class="field-inline search">
      <span>Search names</span>
      <input type="search" name="q" value=${text} placeholder="part of a name"
        onInput=${(event) => setText(event.currentTarget.value)} />
    </label>
    <${Select} label="Type" name="type" value=${filters.type} options=${TYPES.map((type) => [type, type])} onChange=${onChange} />
    <${Select} label="State" name="is_active" value=${filters.is_active}
      options=${[["true", "Active"], ["false", "Paused"]]} onChange=${onChange} />
    <label class="field-inline">
      <span>Namespace</span>
      <input name="namespace" value=${filters.namespace || ""} size="10"
        onChange=${(event) => onChange("namespace", event.currentTarget.value.trim())} />
    </label>
    <label class="field-inline">
      <span>Labels</span>
      <input name="label" value=${filters.label || ""} size="16" placeholder="team=payments,tier!=batch"
        onChange=${(event) => onChange("label", event.currentTarget.value.trim())} />
    </label>
    <${Select} label="Last outcome" name="last_outcome" value=${filters.last_outcome} options=${OUTCOMES} onChange=${onChange} />
    <${Select} label="Sort" name="sort" value=${filters.sort || "id"} options=${SORTS} onChange=${onChange} all=${null} />
  </form>`;
}

// The filters in words, for a confirmation: 'name contains "x", type http'.
export function describeFilters(filters) {
  const parts = [];
  if (filters.q) parts.push(`name contains "${filters.q}"`);
  if (filters.type) parts.push(`type ${filters.type}`);
  if (filters.is_active) parts.push(filters.is_active === "true" ? "active" : "paused");
  if (filters.namespace) parts.push(`namespace ${filters.namespace}`);
  if (filters.label) parts.push(`labels ${filters.label}`);
  if (filters.last_outcome) parts.push(`last outcome ${filters.last_outcome}`);
  return parts.length ? parts.join(", ") : "no filter: every job you can see";
}
