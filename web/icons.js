// The console's icons, inline SVG (no image requests, nothing from other
// hosts). Decorative: each sits beside a word that says the same thing, so
// it is hidden from screen readers.
import { html } from "./html.js";

const PATHS = {
  succeeded: "M3 8.5l3.2 3.2L13 5",
  failed: "M4 4l8 8M12 4l-8 8",
  timed_out: "M8 4v4l2.5 2.5M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13",
  queued: "M3 4h10M3 8h10M3 12h6",
  running: "M5 3l8 5-8 5z",
  skipped: "M3 3l5 5-5 5M8 3l5 5-5 5",
  cancelled: "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M3.4 3.4l9.2 9.2",
  active: "M5 3l8 5-8 5z",
  paused: "M5 3v10M11 3v10",
  none: "M4 8h8",
  sun: "M8 5a3 3 0 1 0 0 6a3 3 0 1 0 0-6M8 1v2M8 13v2M1 8h2M13 8h2M3 3l1.4 1.4M11.6 11.6L13 13M3 13l1.4-1.4M11.6 4.4L13 3",
  moon: "M13 9.5A5.5 5.5 0 0 1 6.5 3a5.5 5.5 0 1 0 6.5 6.5z",
  system: "M2 3h12v8H2zM6 14h4M8 11v3",
  live: "M8 6a2 2 0 1 0 0 4a2 2 0 1 0 0-4M4.5 4.5a5 5 0 0 0 0 7M11.5 4.5a5 5 0 0 1 0 7",
  poll: "M13 8a5 5 0 1 1-1.5-3.5M13 2v3h-3",
  warning: "M8 2l6.5 11.5h-13zM8 6.5v3.5M8 11.5v.5",
  info: "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M8 7v4.5M8 4.5v.5",
  late: "M8 1.5a6.5 6.5 0 1 0 0 13a6.5 6.5 0 1 0 0-13M8 4v4h3",
  plus: "M8 3v10M3 8h10",
  trash: "M3 4.5h10M6 4.5V3h4v1.5M4.5 4.5l.7 9h5.6l.7-9",
  edit: "M3 13l.6-2.6L10.5 3.5l2 2-6.9 6.9zM9.5 4.5l2 2",
  copy: "M5.5 5.5h7v8h-7zM3.5 10.5v-8h7",
  key: "M6 7a3 3 0 1 0 0 .1M8.5 7.5H14M12 7.5V10M14 7.5V9.5",
};

export function Icon({ name }) {
  const d = PATHS[name] || PATHS.none;
  return html`<svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
    <path d=${d} fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
  </svg>`;
}
