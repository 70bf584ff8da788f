// Light, dark or the system's theme, remembered in localStorage. The
// stylesheet follows `prefers-color-scheme` unless <html data-theme> says
// light or dark.
import { signal } from "@preact/signals";
import { html } from "./html.js";

const KEY = "jobsched.theme";
const CHOICES = [
  ["system", "System"],
  ["light", "Light"],
  ["dark", "Dark"],
];

function stored() {
  try {
    const value = localStorage.getItem(KEY);
    return CHOICES.some(([choice]) => choice === value) ? value : "system";
  } catch {
    return "system";
  }
}

export const theme = signal(stored());

function apply(value) {
  if (value === "system") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = value;
}
apply(theme.value);

export function setTheme(value) {
  theme.value = value;
  apply(value);
  try {
    localStorage.setItem(KEY, value);
  } catch {
    // Private windows may refuse storage: the choice lasts for this page.
  }
  window.dispatchEvent(new Event("jobsched-theme"));
}

// Whether the page is dark right now, whichever way it was chosen.
export function isDark() {
  if (theme.value !== "system") return theme.value === "dark";
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

export function ThemePicker() {
  return html`<label class="theme-picker">
    <span>Theme</span>
    <select value=${theme.value} onChange=${(event) => setTheme(event.currentTarget.value)}>
      ${CHOICES.map(([value, label]) => html`<option value=${value}>${label}</option>`)}
    </select>
  </label>`;
}
