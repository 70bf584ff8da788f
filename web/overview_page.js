// Overview: jobs and runs at a glance over a window (1 h, 24 h, 7 d), from
// GET /stats: counts by state, runs and lateness over time (charts with
// tables), and what needs attention now.
import { html } from "./html.js";
import * as api from "./api.js";
import { TimeChart } from "./chart.js";
import { formatDuration } from "./format.js";
import { Icon } from "./icons.js";
import { useLive } from "./live.js";
import { ProblemMessage } from "./problem_view.js";
import { Link, paths, route, useTitle } from "./router.js";
import { StateBadge } from "./state_badge.js";
import { useLoad } from "./use_load.js";

const WINDOWS = [["1h", "1 hour"], ["24h", "24 hours"], ["7d", "7 days"]];
const RUN_STATES = ["queued", "running", "succeeded", "failed", "timed_out", "skipped", "cancelled"];

function WindowPicker({ current }) {
  return html`<nav class="segmented push" aria-label="Window">
    ${WINDOWS.map(([value, label]) => html`<${Link} href=${paths.overview({ window: value })}
      aria-current=${value === current ? "true" : undefined}>${label}</${Link}>`)}
  </nav>`;
}

function Attention({ stats }) {
  const items = [
    ["late", "Late now", "due, not started", stats.late_now, paths.runs({ state: "queued" })],
    ["failed", "Failing", "last run failed", stats.failing, paths.jobs({ last_outcome: "failed" })],
    ["queued", "Due in 15 minutes", "jobs about to fire", stats.due_soon, paths.jobs({ sort: "next_run", is_active: "true" })],
  ];
  return html`<section aria-labelledby="attention-title">
    <h2 id="attention-title">Needs attention</h2>
    <ul class="cards">
      ${items.map(([icon, label, hint, count, href]) => html`<li class="card">
        <${Link} href=${href}><span class="card-figure">${count}</span>
          <span class="card-label"><${Icon} name=${icon} />${label}</span></${Link}>
        <span class="muted small">${hint}</span>
      </li>`)}
    </ul>
  </section>`;
}

function Counts({ stats, windowLabel }) {
  return html`<section aria-labelledby="counts-title">
    <h2 id="counts-title">Jobs and runs</h2>
    <ul class="cards">
      <li class="card"><${Link} href=${paths.jobs({ is_active: "true" })}><span class="card-figure">${stats.jobs.active}</span>
        <span class="card-label"><${Icon} name="active" />Active jobs</span></${Link}></li>
      <li class="card"><${Link} href=${paths.jobs({ is_active: "false" })}><span class="card-figure">${stats.jobs.paused}</span>
        <span class="card-label"><${Icon} name="paused" />Paused jobs</span></${Link}></li>
    </ul>
    <h3>Runs in the last ${windowLabel}</h3>
    <p class="muted small">Queued and running: now; the others: finished in the window.</p>
    <ul class="state-counts">
      ${RUN_STATES.map((state) => html`<li>
        <${Link} href=${paths.runs({ state })}><${StateBadge} state=${state} /><span class="count">${stats.runs[state] ?? 0}</span></${Link}>
      </li>`)}
    </ul>
  </section>`;
}

function Charts({ stats }) {
  const times = stats.series.map((point) => point.at);
  const ms = (value) => (value === null || value === undefined ? "—" : formatDuration(value));
  return html`<section aria-labelledby="charts-title">
    <h2 id="charts-title">Over time</h2>
    <div class="charts">
      <${TimeChart} title="Runs" unit="runs" times=${times} series=${[
        { label: "Runs", values: stats.series.map((point) => point.runs) },
        { label: "Failed", values: stats.series.map((point) => point.failed) },
      ]} />
      <${TimeChart} title="Start lateness" unit="ms" times=${times} series=${[
        { label: "p50", values: stats.series.map((point) => point.lateness_p50_ms), format: ms },
        { label: "p99", values: stats.series.map((point) => point.lateness_p99_ms), format: ms },
      ]} />
    </div>
  </section>`;
}

export function OverviewPage() {
  useTitle("Overview");
  const window = route.value.query.get("window") || "24h";
  const stats = useLoad(() => api.getStats(window).then(({ data }) => data), [window]);
  useLive(stats.reload, (event) => event.type.startsWith("run.") || event.type.startsWith("job."));
  const label = (WINDOWS.find(([value]) => value === window) || WINDOWS[1])[1];
  return html`<div class="page-head">
      <h1>Overview</h1>
      <${WindowPicker} current=${window} />
    </div>
    <${ProblemMessage} error=${stats.error} title="The statistics could not be loaded" />
    ${stats.loading && !stats.data && html`<p class="muted">Loading…</p>`}
    ${stats.data && html`<${Attention} stats=${stats.data} />
      <${Counts} stats=${stats.data} windowLabel=${label} />
      <${Charts} stats=${stats.data} />`}`;
}
