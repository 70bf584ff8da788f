// The scenarios console_browser.js runs, one per call from test_console.py. Each finds things
// the way a person would (roles, labels, visible text), acts, and returns what it saw; the
// Python test decides what is right. A step that cannot be done throws (and fails the test).
"use strict";

const path = require("path");

// The page has rendered its view: a heading in <main>, and nothing still loading.
async function ready(page) {
  await page.locator("main h1").first().waitFor();
  await page.waitForFunction(() => !(document.querySelector("main")?.textContent || "").includes("Loading…"));
}

async function visit(tools, page, target) {
  await tools.watch.collect(page);
  await page.goto(target);
  await ready(page);
}

// axe-core's violations on the page as it is (evaluated through the DevTools protocol, which
// the page's CSP does not govern, so the check changes nothing the page itself may do).
async function axeViolations(tools, page) {
  await page.evaluate(tools.axeSource);
  return page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.slice(0, 5).map((node) => `${node.target.join(" ")}: ${node.failureSummary}`),
    }));
  });
}

// "/ui/jobs/3/edit" -> "job-edit-dark-390.png": named by the page, not by the data's ids.
function shotName(target, scheme, width) {
  const name = target.replace(/\?.*$/, "").replace(/^\/ui\/?/, "").replace(/^(jobs|runs)\/\d+/, (_, kind) => kind.slice(0, -1))
    .replace(/[^a-z0-9]+/gi, "-").replace(/-$/, "");
  return `${name || "overview"}-${scheme}-${width}.png`;
}

async function signIn(page, token) {
  await page.goto("/ui/jobs");
  await page.waitForURL(/\/ui\/signin/);
  await page.getByLabel("API key").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/ui\/jobs/);
  await ready(page);
}

module.exports = {
  // Every page in each colour scheme and width: axe-core's findings (at 1,400 px, in light and
  // dark), whether the page is wider than the window, and a screenshot of each.
  async pages(tools, { pages, schemes, widths, axe, screenshots }) {
    const found = { violations: {}, overflow: [], shots: [], headings: {} };
    for (const scheme of schemes) {
      for (const width of widths) {
        const page = await tools.newPage({ width, scheme });
        for (const target of pages) {
          await visit(tools, page, target);
          found.headings[target] = await page.locator("main h1").first().textContent();
          if (axe && width === widths[0]) {
            const violations = await axeViolations(tools, page);
            if (violations.length) found.violations[`${target} (${scheme})`] = violations;
          }
          const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
          if (scrollWidth > width + 1) found.overflow.push(`${target} at ${width} px (${scheme}): ${scrollWidth} px wide`);
          if (screenshots) {
            const file = path.join(tools.config.screenshotDir, shotName(target, scheme, width));
            await page.screenshot({ path: file, fullPage: true });
            found.shots.push(file);
          }
        }
        await tools.watch.collect(page);
        await page.context().close();
      }
    }
    return found;
  },

  // Creates a job in the form (a noop every 15 minutes), then finds it in the list by searching.
  async createJob(tools, { name }) {
    const page = await tools.newPage();
    await visit(tools, page, "/ui/jobs");
    await page.getByRole("link", { name: "New job" }).click();
    await ready(page);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByRole("radio", { name: /^Every/ }).check();
    await page.getByLabel(/^Period/).fill("15m");
    await page.getByLabel("What it does").selectOption({ label: "Nothing (noop): record a run" });
    await page.getByText("Next occurrences").waitFor();
    const status = await page.getByRole("status").filter({ hasText: /service/ }).first().textContent();
    await page.getByRole("button", { name: "Create job" }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const jobPath = new URL(page.url()).pathname;
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Jobs" }).click();
    await ready(page);
    await page.getByLabel("Search names").fill(name.slice(3, 12));
    await page.waitForURL(/q=/);
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name, exact: true }) });
    await row.waitFor();
    return { jobPath, status, rowText: await row.textContent(), url: page.url() };
  },

  // What a job named like markup, and a run whose output is markup, look like.
  async xss(tools, { jobId, runId, name }) {
    const page = await tools.newPage();
    const shown = {};
    for (const target of ["/ui/jobs", `/ui/jobs/${jobId}`, `/ui/runs/${runId}`, `/ui/jobs/${jobId}/edit`]) {
      await visit(tools, page, target);
      await page.waitForTimeout(300);
      shown[target] = {
        nameAsText: await page.getByText(name, { exact: true }).count(),
        nameInField: target.endsWith("/edit") ? await page.getByRole("textbox", { name: "Name", exact: true }).inputValue() : null,
        injectedImages: await page.locator('img[src="x"], main img').count(),
        output: target.startsWith("/ui/runs") ? await page.getByLabel("Output").textContent() : null,
      };
    }
    return shown;
  },

  // Moves with the keyboard alone: Tab to the job's link, Enter; Tab to "Pause", Enter.
  async keyboard(tools, { name }) {
    const page = await tools.newPage();
    await visit(tools, page, "/ui/jobs");
    const tabTo = async (matches, limit = 80) => {
      for (let presses = 1; presses <= limit; presses++) {
        await page.keyboard.press("Tab");
        const text = await page.evaluate(() => (document.activeElement?.textContent || "").trim());
        if (matches(text)) return presses;
      }
      throw new Error("Tab never reached the control");
    };
    const toLink = await tabTo((text) => text === name);
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const toPause = await tabTo((text) => text === "Pause");
    const focusVisible = await page.evaluate(() => document.activeElement.matches(":focus-visible") &&
      getComputedStyle(document.activeElement).outlineStyle !== "none");
    await page.keyboard.press("Enter");
    await page.getByRole("button", { name: "Resume" }).waitFor();
    const focusAfter = await page.evaluate(() => (document.activeElement?.textContent || "").trim());
    return { toLink, toPause, focusVisible, focusAfter, state: await page.locator("main .badge").first().textContent() };
  },

  // Edits a job that someone else changes meanwhile: the save is refused (412) and the page
  // says what changed; "Start again from their version" loads it.
  async editConflict(tools, { jobId, theirName, myName }) {
    const page = await tools.newPage();
    await visit(tools, page, `/ui/jobs/${jobId}/edit`);
    const theirs = await fetch(`${tools.config.origin.replace("jobsched.test", "127.0.0.1")}/jobs/${jobId}`, {
      method: "PATCH", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ name: theirName }),
    });
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(myName);
    await page.getByRole("button", { name: "Save changes" }).click();
    const conflict = page.getByRole("alert").filter({ hasText: "Someone changed this job" });
    await conflict.waitFor();
    const rows = await conflict.getByRole("row").allTextContents();
    await page.getByRole("button", { name: "Start again from their version" }).click();
    return { theirStatus: theirs.status, rows, nameAfter: await page.getByRole("textbox", { name: "Name", exact: true }).inputValue() };
  },

  // -- these need the lead's endpoints of decision 0008 (sessions, events, bulk, stats) ------

  // Signs in with a key, then signs out; a request after that is refused.
  async signIn(tools, { token }) {
    const page = await tools.newPage();
    await signIn(page, token);
    const who = await page.getByRole("banner").textContent();
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/ui\/signin/);
    const after = await page.evaluate(async () => (await fetch("/jobs")).status);
    return { who, statusAfterSignOut: after };
  },

  // A read key: which change buttons are enabled, the reason shown, and a change sent anyway.
  async readKey(tools, { token, jobId }) {
    const page = await tools.newPage();
    await signIn(page, token);
    const bulk = await page.getByRole("group", { name: "Change the selected jobs" }).getByRole("button").evaluateAll(
      (buttons) => buttons.map((button) => ({ name: button.textContent.trim(), enabled: !button.disabled })));
    await visit(tools, page, `/ui/jobs/${jobId}`);
    const actions = await page.getByRole("group", { name: "Job actions" }).getByRole("button").evaluateAll(
      (buttons) => buttons.map((button) => ({ name: button.textContent.trim(), enabled: !button.disabled })));
    const reason = await page.getByText(/may read, not change/).first().textContent();
    const refused = await page.evaluate(async (id) => {
      const session = await (await fetch("/session")).json();
      const answer = await fetch(`/jobs/${id}/pause`, { method: "POST", headers: { "X-CSRF-Token": session.csrf_token || "" } });
      return answer.status;
    }, jobId);
    return { bulk, actions, reason, refused };
  },

  // A run of the job appears on its page without a reload while the event stream is live.
  async liveRun(tools, { jobId }) {
    const page = await tools.newPage();
    await visit(tools, page, `/ui/jobs/${jobId}`);
    let loads = 0;
    page.on("load", () => loads++);
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor({ timeout: 10000 });
    const trigger = await fetch(`${tools.config.origin.replace("jobsched.test", "127.0.0.1")}/jobs/${jobId}/trigger`, { method: "POST" });
    const run = await trigger.json();
    await page.getByRole("link", { name: `Run ${run.id}`, exact: true }).waitFor({ timeout: 10000 });
    return { runId: run.id, loads };
  },

  // Pauses every job matching a search, across pages, after a confirmation naming how many.
  async bulkPause(tools, { q }) {
    const page = await tools.newPage();
    await visit(tools, page, `/ui/jobs?q=${encodeURIComponent(q)}`);
    await page.getByRole("checkbox", { name: "Select every job on this page" }).check();
    await page.getByRole("button", { name: "Select every job matching the filter" }).click();
    await page.getByRole("group", { name: "Change the selected jobs" }).getByRole("button", { name: "Pause" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    const question = await dialog.textContent();
    await dialog.getByRole("button", { name: /^Pause \d+ job/ }).click();
    const outcome = await page.getByRole("status").filter({ hasText: "changed" }).textContent();
    return { question, outcome };
  },

  // The overview's run chart and its table.
  async stats(tools) {
    const page = await tools.newPage();
    await visit(tools, page, "/ui/?window=1h");
    const figure = page.getByRole("figure").filter({ hasText: "Runs" }).first();
    await figure.locator("canvas").first().waitFor();
    await figure.getByText("Runs as a table").click();
    return { rows: await figure.getByRole("row").count() };
  },

  // -- these need the cli branch's endpoints (dry runs, GET /jobs/{id}/next) -----------------

  // A bad period typed in the form: the service's message appears at the field.
  async validate(tools) {
    const page = await tools.newPage();
    await visit(tools, page, "/ui/jobs/new");
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("checked as typed");
    await page.getByLabel(/^Period/).fill("15x");
    const period = page.getByLabel(/^Period/);
    await page.waitForFunction(() => document.querySelector("#f-every")?.getAttribute("aria-invalid") === "true", null,
      { timeout: 10000 });
    const described = await period.getAttribute("aria-describedby");
    const message = await page.locator(`[id="${described.split(" ").pop()}"]`).textContent();
    return { message };
  },

  async nextRuns(tools, { jobId }) {
    const page = await tools.newPage();
    await visit(tools, page, `/ui/jobs/${jobId}`);
    const table = page.getByRole("table").filter({ hasText: "In the job's zone" });
    await table.waitFor({ timeout: 10000 });
    return { rows: await table.getByRole("row").count() };
  },

  // The job page's History: who changed the job, newest first, as rows of text.
  async history(tools, { jobId }) {
    const page = await tools.newPage();
    await visit(tools, page, `/ui/jobs/${jobId}`);
    const region = page.getByRole("region", { name: "History of this job" });
    await region.getByRole("cell", { name: "Created" }).waitFor({ timeout: 10000 });
    const rows = await region.getByRole("row").evaluateAll(
      (all) => all.map((row) => [...row.cells].map((cell) => cell.textContent.trim())));
    return { rows };
  },

  // A first visit (a new context: nothing cached) to `target`, a jobs list: the API requests the
  // page sent, each with the script that sent it (the DevTools protocol's initiator), and the
  // rows the table shows once it has `rows` of them.
  async firstVisit(tools, { target, rows }) {
    const page = await tools.newPage({});
    const cdp = await page.context().newCDPSession(page);
    const sent = [];
    cdp.on("Network.requestWillBeSent", ({ request, initiator }) => {
      const url = new URL(request.url);
      if (url.pathname.startsWith("/ui/")) return;  // the page and its assets
      const frame = (initiator.stack?.callFrames || []).find((call) => call.url);
      sent.push({ method: request.method, path: url.pathname + url.search,
        script: frame ? new URL(frame.url).pathname.split("/").pop() : null });
    });
    await cdp.send("Network.enable");
    await visit(tools, page, target);
    await page.locator("table.jobs tbody tr").nth(rows - 1).waitFor();
    await page.waitForTimeout(500);  // a request sent again would be sent by now
    return { sent, names: await page.locator("table.jobs tbody th").allTextContents() };
  },
};
