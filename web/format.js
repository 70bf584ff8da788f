// How the console writes times, durations and schedules. Every date goes
// through Intl.DateTimeFormat with an explicit time zone: the viewer's own
// unless a zone is given (a job's, for its occurrences).
import { cronInWords } from "./cron_words.js";

export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";

const formats = new Map();
function formatter(zone, style) {
  const key = `${zone}|${style}`;
  if (!formats.has(key)) {
    const options = style === "short"
      ? { timeZone: zone, month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" }
      : { timeZone: zone, year: "numeric", month: "short", day: "numeric", weekday: "short", hour: "2-digit",
          minute: "2-digit", second: "2-digit", timeZoneName: "short" };
    formats.set(key, new Intl.DateTimeFormat(undefined, options));
  }
  return formats.get(key);
}

// "Mon, Nov 30, 2026, 10:00:00 CET"; "—" for none.
export function formatTime(iso, zone = viewerZone) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : formatter(zone, "long").format(date);
}

// "Nov 30, 10:00", for narrow columns; the full time is in its title.
export function formatShortTime(iso, zone = viewerZone) {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : formatter(zone, "short").format(date);
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
// "in 5 minutes", "3 hours ago", from `now` (ms since the epoch).
export function formatRelative(iso, now = Date.now()) {
  if (!iso) return "";
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const units = [["day", 86400], ["hour", 3600], ["minute", 60], ["second", 1]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === "second") return relative.format(Math.round(seconds / size), unit);
  }
  return "";
}

// 1234 -> "1.2 s"; 95000 -> "1 min 35 s"; null -> "—".
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 1 : 0)} s`;
  const minutes = Math.floor(ms / 60000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

// How late a run started: started_at - scheduled_for - its jitter; null until it starts.
export function lateness(run) {
  if (!run.started_at) return null;
  return Math.max(0, new Date(run.started_at) - new Date(run.scheduled_for) - (run.jitter_ms || 0));
}

const NAMED = {
  hourly: "every hour at minute 0",
  daily: "every day at 10:00, UTC",
  weekly: "every Monday at 10:00, UTC",
  monthly: "on the 1st of every month at 10:00, UTC",
  hourly_for_today: "every hour at minute 0 until midnight UTC",
};
const UNITS = { w: "week", d: "day", h: "hour", m: "minute", s: "second", ms: "millisecond" };

// "15m" -> "15 minutes"; "1h30m" -> "1 hour 30 minutes".
export function durationInWords(text) {
  const parts = [...String(text).matchAll(/(\d+)(ms|[wdhms])/g)];
  if (parts.length === 0) return String(text);
  return parts.map(([, n, unit]) => `${n} ${UNITS[unit]}${n === "1" ? "" : "s"}`).join(" ");
}

// A job's schedule in words, with its time zone: "every Monday at 10:00, Europe/Berlin".
export function scheduleInWords(job) {
  if (job.interval) return NAMED[job.interval] || job.interval;
  if (job.every) {
    const words = durationInWords(job.every);
    return `every ${/^1 \w+$/.test(words) ? words.slice(2) : words}`;
  }
  if (job.cron) return `${cronInWords(job.cron)}, ${job.timezone || "UTC"}`;
  if (job.at) return `once, at ${formatTime(job.at)}`;
  return "no schedule";
}

// "1 job" / "3 jobs".
export function plural(count, word) {
  return `${count} ${word}${count === 1 ? "" : "s"}`;
}
