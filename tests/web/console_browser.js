// Drives the web console in Debian's chromium (headless, through playwright-core from
// tests/tooling) the way a person would: by role and visible text. test_console.py starts the
// real binary and runs one scenario (console_scenarios.js) per call.
//
// Usage: node console_browser.js CONFIG_JSON
//   CONFIG_JSON: {"origin": "http://jobsched.test:PORT", "hostMap": "MAP jobsched.test 127.0.0.1",
//                 "chromium": path, "axe": path of axe.min.js, "screenshotDir": folder,
//                 "scenario": name, "data": what the scenario needs}
// Every scenario runs offline: any request not to `origin` is aborted (and listed). The page's
// Content-Security-Policy is left on; its violations are listed, as are dialogs the page opened
// (dismissed), errors it threw and console errors other than failed loads.
// Prints one JSON line: {"result": what the scenario found, "foreignRequests", "cspViolations",
// "dialogs", "pageErrors"}. Exits non-zero, with the reason on stderr, when a step fails; a
// screenshot of the page at that moment is left as SCREENSHOT_DIR/failed-SCENARIO.png.
"use strict";

const fs = require("fs");
const path = require("path");
const { chromium } = require(path.join(process.env.JOBSCHED_TOOLING_MODULES || "", "playwright-core"));
const scenarios = require("./console_scenarios.js");

const STEP_TIMEOUT_MS = 20000;

// What every page of every scenario is watched for.
class Watch {
  constructor(origin) {
    this.origin = origin;
    this.foreignRequests = [];
    this.cspViolations = [];
    this.dialogs = [];
    this.pageErrors = [];
  }

  async attach(context) {
    await context.route("**/*", (route) => {
      const url = route.request().url();
      if (url.startsWith("data:") || url.startsWith("blob:") || new URL(url).origin === this.origin) {
        return route.continue();
      }
      this.foreignRequests.push(url);
      return route.abort("internetdisconnected");
    });
    // Registered before any script of the page runs; the event fires for every blocked load or script.
    await context.addInitScript(() => {
      window.__cspViolations = [];
      document.addEventListener("securitypolicyviolation", (event) => {
        window.__cspViolations.push(`${event.violatedDirective}: ${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
      });
    });
  }

  page(page) {
    page.on("dialog", (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      dialog.dismiss().catch(() => {});
    });
    page.on("pageerror", (error) => this.pageErrors.push(String(error)));
    return page;
  }

  // Keeps the violations the current document saw (call before leaving it).
  async collect(page) {
    const seen = await page.evaluate(() => window.__cspViolations || []).catch(() => []);
    this.cspViolations.push(...seen);
  }
}

// The browser context of one scenario: a viewport, a colour scheme, the watch.
async function openContext(browser, watch, { width = 1400, height = 900, scheme = "light" } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme: scheme, baseURL: watch.origin });
  context.setDefaultTimeout(STEP_TIMEOUT_MS);
  await watch.attach(context);
  return context;
}

async function main() {
  const config = JSON.parse(process.argv[2]);
  const run = scenarios[config.scenario];
  if (!run) throw new Error(`no scenario ${config.scenario}; there are ${Object.keys(scenarios).join(", ")}`);
  fs.mkdirSync(config.screenshotDir, { recursive: true });
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"];
  if (config.hostMap) args.push(`--host-resolver-rules=${config.hostMap}`);
  const browser = await chromium.launch({ executablePath: config.chromium, headless: true, args, timeout: STEP_TIMEOUT_MS });
  const watch = new Watch(config.origin);
  let lastPage = null;
  const tools = {
    config,
    watch,
    axeSource: config.axe ? fs.readFileSync(config.axe, "utf8") : null,
    async newPage(options) {
      const context = await openContext(browser, watch, options);
      lastPage = watch.page(await context.newPage());
      return lastPage;
    },
  };
  try {
    const result = await run(tools, config.data || {});
    if (lastPage) await watch.collect(lastPage);
    process.stdout.write(JSON.stringify({
      result,
      foreignRequests: watch.foreignRequests,
      cspViolations: watch.cspViolations,
      dialogs: watch.dialogs,
      pageErrors: watch.pageErrors,
    }) + "\n");
  } catch (error) {
    const failed = path.join(config.screenshotDir, `failed-${config.scenario}.png`);
    if (lastPage) await lastPage.screenshot({ path: failed, fullPage: true }).catch(() => {});
    throw new Error(`${error.message}\n(the page at that moment: ${failed}; page errors: ${watch.pageErrors.join("; ") || "none"})`);
  } finally {
    await browser.close();
  }
}

main().catch((error) => {
  process.stderr.write(`console_browser.js: ${error.stack || error}\n`);
  process.exit(1);
});
