// Where a load of /ui/jobs spends the page's main thread, from chromium's own trace, for
// bench/console.py's `trace` phase (playwright-core from JOBSCHED_TOOLING_MODULES, the flags of
// console_browser.js, a fresh profile under TMPDIR).
//
// Usage: node console_trace.js '{"origins": [...], "chromium", "path": "/ui/jobs", "loads": 10}'
//   For each load and each origin in turn (the order alternating), a new browser context loads
//   `path` (cold) and loads it again (warm), each traced (Tracing through playwright). It sums the
//   renderer main thread's events from the navigation's start to the frame after the first jobs
//   row was inserted: CPU (the trace's thread time) and wall time, in all (top-level tasks) and by
//   kind. Prints {"by_origin": {origin: {"cold": {kind: [cpu_ms, wall_ms]}, "warm": ...}}}, the
//   means over the loads (the first load of each origin is not counted). Tracing slows the page:
//   compare the origins, not these times with console_browser.js's.
"use strict";

const path = require("path");
const { chromium } = require(path.join(process.env.JOBSCHED_TOOLING_MODULES || "", "playwright-core"));

const ROW = "table.jobs tbody tr";
const CATEGORIES = ["blink.user_timing", "devtools.timeline", "disabled-by-default-devtools.timeline", "v8.execute",
  "loading", "blink", "v8"];
const KINDS = {
  evaluate: ["v8.evaluateModule"],
  microtasks: ["RunMicrotasks"],
  style: ["UpdateLayoutTree"],
  layout: ["Layout"],
  paint: ["PrePaint", "Paint"],
  gc: ["MinorGC", "MajorGC"],
};

// In the page before its scripts: a console message two frames after the first row is inserted.
function watchFirstRow(selector) {
  const observer = new MutationObserver(() => {
    if (!document.querySelector(selector)) return;
    observer.disconnect();
    requestAnimationFrame(() => requestAnimationFrame((at) => console.debug(`bench-trace-framed ${at}`)));
  });
  observer.observe(document, { childList: true, subtree: true });
}

// {kind: [cpu, wall]} of the main thread's events from the navigation's start to `frameAt` ms.
function summarise(events, frameAt) {
  const starts = events.filter((event) => event.name === "navigationStart" && event.args?.data?.isLoadingMainFrame);
  const start = starts.find((event) => event.args.data.documentLoaderURL?.includes("/ui/")) || starts.pop();
  if (!start) throw new Error("no navigationStart in the trace");
  const end = start.ts + frameAt * 1000;
  const main = events.filter((event) => event.pid === start.pid && event.tid === start.tid && event.ph === "X" &&
    event.ts >= start.ts && event.ts < end).sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  const sums = { all: [0, 0] };
  let topEnd = 0;
  for (const event of main) {
    const times = [(event.tdur ?? event.dur) / 1000, event.dur / 1000];
    if (event.ts >= topEnd) {  // a task of its own, not inside another
      topEnd = event.ts + event.dur;
      sums.all = [sums.all[0] + times[0], sums.all[1] + times[1]];
    }
    for (const [kind, names] of Object.entries(KINDS)) {
      if (!names.includes(event.name)) continue;
      const sum = sums[kind] || [0, 0];
      sums[kind] = [sum[0] + times[0], sum[1] + times[1]];
    }
  }
  return sums;
}

async function tracedLoad(browser, page, config) {
  await browser.startTracing(page, { categories: CATEGORIES });
  const framed = page.waitForEvent("console", { predicate: (message) => message.text().startsWith("bench-trace-framed") });
  await page.goto(config.path);
  const frameAt = Number((await framed).text().split(" ")[1]);
  const trace = JSON.parse((await browser.stopTracing()).toString());
  return summarise(trace.traceEvents, frameAt);
}

function addTo(total, sums, loads) {
  for (const [kind, [cpu, wall]] of Object.entries(sums)) {
    const sum = total[kind] || [0, 0];
    total[kind] = [sum[0] + cpu / loads, sum[1] + wall / loads];
  }
}

async function main() {
  const config = JSON.parse(process.argv[2]);
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"];
  const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args });
  const found = Object.fromEntries(config.origins.map((origin) => [origin, { cold: {}, warm: {} }]));
  try {
    for (let load = 0; load <= config.loads; load++) {
      const order = load % 2 === 0 ? config.origins : [...config.origins].reverse();
      for (const origin of order) {
        const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, baseURL: origin });
        await context.addInitScript(watchFirstRow, ROW);
        const page = await context.newPage();
        const cold = await tracedLoad(browser, page, config);
        const warm = await tracedLoad(browser, page, config);
        await context.close();
        if (load === 0) continue;  // chromium warming up
        addTo(found[origin].cold, cold, config.loads);
        addTo(found[origin].warm, warm, config.loads);
      }
    }
  } finally {
    await browser.close();
  }
  process.stdout.write(JSON.stringify({ by_origin: found }) + "\n");
}

main().catch((error) => {
  process.stderr.write(`console_trace.js: ${error.stack || error}\n`);
  process.exit(1);
});
