// The web console in Debian's headless chromium for bench/console.py, through playwright-core
// (JOBSCHED_TOOLING_MODULES, as tests/web/console_browser.js; same chromium flags, and a fresh
// profile under TMPDIR, which the caller points at a new folder).
//
// Usage: node console_browser.js CONFIG_JSON
//   {"mode": "paint", "origin", "chromium", "path": "/ui/jobs", "loads": 10, "origins": [...], "probes": [...]}
//     Loads `path` LOADS times, each in a new browser context (empty cache: a first visit) and then
//     once more in the same context (assets cached: a return visit). With `origins` (an A/B run of
//     two services), each load goes to every origin in turn, the order alternating from load to
//     load, and it prints {"by_origin": {origin: {"cold", "warm"}}}; with `probes` (see
//     measureLoad) each origin is loaded with each probe in turn, keyed "origin probe". By default
//     nothing of playwright's runs in the page until the row is painted (it waits for a console
//     message of the init script), so the harness's own scripts do not compete with the page's.
//     For each load it reports, in
//     ms from the navigation's start: `row`, when the first row of the jobs table was painted (the
//     Element Timing API's renderTime of its name cell, marked before its first paint), `frame`,
//     the start of the first frame after the row was inserted (a cross-check, one frame late at
//     most), `inserted` (the row in the DOM) and `api` (the GET /jobs request's own duration).
//     Prints {"cold": [load...], "warm": [load...]}.
//   {"mode": "events", "origin", "chromium", "path": "/ui/runs", "seconds"}
//     Opens `path` (a page that follows the event stream), waits until it says "Live", prints
//     {"ready": true}, and after SECONDS prints {"events": [[run_id, received_ms]...]} for each
//     run.finished the page's event stream dispatched, noted by a listener added before the
//     console's own (received_ms: wall clock, performance.timeOrigin + performance.now()).
"use strict";

const path = require("path");
const { chromium } = require(path.join(process.env.JOBSCHED_TOOLING_MODULES || "", "playwright-core"));

const STEP_TIMEOUT_MS = 30000;
const ROW = "table.jobs tbody tr";

// Runs in the page before its scripts: marks the first jobs row for Element Timing as soon as it
// is inserted (before it can be painted) and notes when that happened.
function watchFirstRow(selector) {
  const marks = { inserted: null, frame: null, row: null };
  window.__benchMarks = marks;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (entry.identifier === "bench-first-row" && marks.row === null) marks.row = entry.renderTime || entry.loadTime;
    }
  }).observe({ type: "element", buffered: true });
  const observer = new MutationObserver(() => {
    const row = document.querySelector(selector);
    if (!row) return;
    observer.disconnect();
    marks.inserted = performance.now();
    const cell = row.querySelector("th") || row;
    cell.setAttribute("elementtiming", "bench-first-row");
    requestAnimationFrame(() => requestAnimationFrame((at) => {
      marks.frame = at;
      console.debug("bench-first-row-framed");
    }));
  });
  observer.observe(document, { childList: true, subtree: true });
}

// probe "console" (the default): wait for the init script's console message, so nothing of
// playwright's runs in the page before the row is painted. "playwright": wait as this script did
// before 2026-12-07, with a locator and waitForFunction, whose injected script competes with
// the page's own on its main thread during the load (kept to compare figures with older ones).
async function measureLoad(page, config, probe = "console") {
  if (probe === "playwright") {
    await page.goto(config.path);
    await page.locator(ROW).first().waitFor({ state: "visible" });
    await page.waitForFunction(() => window.__benchMarks && window.__benchMarks.frame !== null);
  } else {
    const framed = page.waitForEvent("console", { predicate: (message) => message.text() === "bench-first-row-framed" });
    await page.goto(config.path);
    await framed;
  }
  // The element entry may come a moment after the frame.
  await page.waitForFunction(() => window.__benchMarks.row !== null, null, { timeout: 2000 }).catch(() => {});
  return page.evaluate(() => {
    const resources = performance.getEntriesByType("resource");
    const api = resources.find((entry) => /\/jobs\?/.test(entry.name));
    const assets = resources.filter((entry) => entry.name.includes("/ui/assets/"));
    const round = (value) => (value === null || value === undefined ? null : Math.round(value * 10) / 10);
    const marks = window.__benchMarks;
    return { row: round(marks.row), frame: round(marks.frame), inserted: round(marks.inserted),
      api: api ? round(api.responseEnd - api.startTime) : null, apiStart: api ? round(api.startTime) : null,
      assets: assets.length, fetched: assets.filter((entry) => entry.transferSize > 0).length };
  });
}

async function paintOne(browser, config, origin, probe, found) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, baseURL: origin });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(watchFirstRow, ROW);
  const page = await context.newPage();
  found.cold.push(await measureLoad(page, config, probe));
  found.warm.push(await measureLoad(page, config, probe));
  await context.close();
}

// With `probes` (["console", "playwright"]), every origin is loaded with each, in turn, and the
// results are keyed "origin probe".
async function paint(browser, config) {
  const origins = config.origins || [config.origin];
  const probes = config.probes || ["console"];
  const runs = origins.flatMap((origin) => probes.map((probe) => [origin, probe]));
  const key = ([origin, probe]) => (config.probes ? `${origin} ${probe}` : origin);
  const found = Object.fromEntries(runs.map((run) => [key(run), { cold: [], warm: [] }]));
  for (let load = 0; load < config.loads; load++) {
    const order = load % 2 === 0 ? runs : [...runs].reverse();
    for (const run of order) await paintOne(browser, config, ...run, found[key(run)]);
  }
  return config.origins ? { by_origin: found } : found[config.origin];
}

// Runs in the page before its scripts: every EventSource the page opens also gets, first, a
// listener of ours for run.finished, so it is called in the same dispatch as the console's
// own handler, just before it (the bundled console has no module to import a hook from).
function recordFinishedRuns() {
  window.__benchEvents = [];
  const Native = window.EventSource;
  window.EventSource = class extends Native {
    constructor(...args) {
      super(...args);
      const record = (message) => {
        const event = JSON.parse(message.data);
        window.__benchEvents.push([event.run_id, performance.timeOrigin + performance.now()]);
      };
      this.addEventListener("run.finished", record);  // the service names its events (event: run.finished)
    }
  };
}

async function events(browser, config) {
  const context = await browser.newContext({ baseURL: config.origin });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await context.addInitScript(recordFinishedRuns);
  const page = await context.newPage();
  await page.goto(config.path);
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  await page.waitForTimeout(config.seconds * 1000);
  return { events: await page.evaluate(() => window.__benchEvents) };
}

async function main() {
  const config = JSON.parse(process.argv[2]);
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"];
  const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args,
    timeout: STEP_TIMEOUT_MS });
  try {
    const run = { paint, events }[config.mode];
    if (!run) throw new Error(`unknown mode ${config.mode}`);
    process.stdout.write(JSON.stringify(await run(browser, config)) + "\n");
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`console_browser.js: ${error.stack || error}\n`);
  process.exit(1);
});
