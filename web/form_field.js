// Form controls with a visible label, an optional hint, and the API's
// message for the field when it refused it (announced, and tied to the
// control with aria-describedby).
import { html } from "./html.js";

export const fieldId = (name) => `f-${name.replace(/[^A-Za-z0-9]/g, "-")}`;

function Described({ name, hint, error, children }) {
  const id = fieldId(name);
  return html`${children}
    ${hint && html`<span class="hint" id=${`${id}-hint`}>${hint}</span>`}
    ${error && html`<span class="field-error" id=${`${id}-error`} role="alert">${error}</span>`}`;
}

function describedBy(name, hint, error) {
  const id = fieldId(name);
  const ids = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean);
  return ids.length ? ids.join(" ") : undefined;
}

// `form` is {values, errors, set(name, value)}; `name` is the API's path of the member ("task.url").
export function TextField({ form, name, label, hint, type = "text", required = false, list, ...rest }) {
  const error = form.errors[name];
  return html`<div class="field">
    <label for=${fieldId(name)}>${label}${required && html`<span aria-hidden="true"> *</span>`}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <input id=${fieldId(name)} type=${type} value=${form.values[name] ?? ""} required=${required} list=${list}
        aria-invalid=${error ? "true" : undefined} aria-describedby=${describedBy(name, hint, error)}
        onInput=${(event) => form.set(name, event.currentTarget.value)} ...${rest} />
    </${Described}>
  </div>`;
}

export function TextArea({ form, name, label, hint, rows = 3 }) {
  const error = form.errors[name];
  return html`<div class="field">
    <label for=${fieldId(name)}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <textarea id=${fieldId(name)} rows=${rows} value=${form.values[name] ?? ""}
        aria-invalid=${error ? "true" : undefined} aria-describedby=${describedBy(name, hint, error)}
        onInput=${(event) => form.set(name, event.currentTarget.value)}></textarea>
    </${Described}>
  </div>`;
}

// `options`: [[value, label], ...].
export function SelectField({ form, name, label, hint, options }) {
  const error = form.errors[name];
  return html`<div class="field">
    <label for=${fieldId(name)}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error}>
      <select id=${fieldId(name)} value=${form.values[name] ?? ""} aria-invalid=${error ? "true" : undefined}
        aria-describedby=${describedBy(name, hint, error)} onChange=${(event) => form.set(name, event.currentTarget.value)}>
        ${options.map(([value, text]) => html`<option value=${value}>${text}</option>`)}
      </select>
    </${Described}>
  </div>`;
}

export function CheckField({ form, name, label, hint }) {
  const error = form.errors[name];
  return html`<div class="field check">
    <input id=${fieldId(name)} type="checkbox" checked=${!!form.values[name]} aria-invalid=${error ? "true" : undefined}
      aria-describedby=${describedBy(name, hint, error)} onChange=${(event) => form.set(name, event.currentTarget.checked)} />
    <label for=${fieldId(name)}>${label}</label>
    <${Described} name=${name} hint=${hint} error=${error} />
  </div>`;
}
