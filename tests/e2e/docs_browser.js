// Drives Swagger UI at /docs in Debian's chromium (headless, through playwright-core) the way a
// person would: waits for the operations to be listed, opens POST /jobs, presses "Try it out",
// replaces the example body, presses "Execute" and reads the answer shown on the page.
// test_docs_browser.py starts the service and checks the job through the API afterwards.
//
// Usage: node docs_browser.js CONFIG_JSON
//   CONFIG_JSON: {"url": page URL, "hostMap": "MAP host 127.0.0.1" or null, "chromium": path,
//                 "profileDir": an empty directory, "screenshot": PNG path, "body": object to send}
//   Leaves SCREENSHOT (the page as loaded) and SCREENSHOT-try-it-out.png (POST /jobs after
//   Execute), or SCREENSHOT-failed.png when a step fails.
// Prints one JSON line: {"operations": ["POST /jobs", ...], "status": 201, "body": {...},
//                        "foreignRequests": [urls outside the page's origin]}.
// Exits non-zero, with the reason on stderr, when a step fails.
"use strict";

const path = require("path");
const { chromium } = require(path.join(process.env.JOBSCHED_TOOLING_MODULES || "", "playwright-core"));

const STEP_TIMEOUT_MS = 30000;

async function main() {
  const config = JSON.parse(process.argv[2]);
  const origin = new URL(config.url).origin;
  const args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"];
  if (config.hostMap) args.push(`--host-resolver-rules=${config.hostMap}`);
  // A persistent context is how Playwright takes the fresh --user-data-dir the caller made.
  const context = await chromium.launchPersistentContext(config.profileDir, {
    executablePath: config.chromium,
    headless: true,
    args,
    viewport: { width: 1280, height: 900 },
    timeout: STEP_TIMEOUT_MS,
  });
  const page = context.pages()[0] || await context.newPage();
  try {
    context.setDefaultTimeout(STEP_TIMEOUT_MS);
    const foreignRequests = [];
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith("data:") && !url.startsWith("blob:") && new URL(url).origin !== origin) {
        foreignRequests.push(url);
      }
    });
    const pageErrors = [];
    page.on("pageerror", (error) => pageErrors.push(String(error)));

    await page.goto(config.url);
    await page.locator(".opblock").first().waitFor();
    await page.screenshot({ path: config.screenshot, fullPage: true });
    const operations = await page.locator(".opblock").evaluateAll((blocks) => blocks.map((block) => {
      const method = block.querySelector(".opblock-summary-method").textContent.trim();
      const summaryPath = block.querySelector(".opblock-summary-path");
      return `${method} ${summaryPath.getAttribute("data-path") || summaryPath.textContent.trim()}`;
    }));

    const create = page.locator("#operations-jobs-createJob");
    await create.locator(".opblock-summary").click();
    await create.locator("button.try-out__btn").click();
    const editor = create.locator("textarea.body-param__text");
    await editor.fill(JSON.stringify(config.body, null, 2));
    await create.locator("button.execute").click();
    const answer = create.locator(".live-responses-table .response");
    await answer.locator(".response-col_status").waitFor();
    const status = Number((await answer.locator(".response-col_status").textContent()).trim());
    const text = await answer.locator(".response-col_description pre").first().textContent();
    // The operation from its title down to the answer the page shows. Bounding boxes are
    // relative to the viewport, a full-page clip to the page.
    const top = await create.boundingBox();
    const bottom = await answer.boundingBox();
    const scrollY = await page.evaluate(() => window.scrollY);
    await page.screenshot({
      path: config.screenshot.replace(/\.png$/, "-try-it-out.png"),
      fullPage: true,
      clip: { x: top.x, y: top.y + scrollY, width: top.width, height: bottom.y + bottom.height - top.y },
    });

    let body = text;
    try {
      body = JSON.parse(text);
    } catch (error) {
      // Left as text: the caller reports what the page showed.
    }
    if (pageErrors.length > 0) throw new Error(`the page threw: ${pageErrors.join("; ")}`);
    process.stdout.write(JSON.stringify({ operations, status, body, foreignRequests }) + "\n");
  } catch (error) {
    // What the page looked like when the step failed, beside the screenshot a passing run leaves.
    const failed = config.screenshot.replace(/\.png$/, "-failed.png");
    await page.screenshot({ path: failed, fullPage: true }).catch(() => {});
    throw new Error(`${error.message}\n(the page at that moment: ${failed})`);
  } finally {
    await context.close();
  }
}

main().catch((error) => {
  process.stderr.write(`docs_browser.js: ${error.stack || error}\n`);
  process.exit(1);
});
