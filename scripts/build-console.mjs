// Builds the web console that the binary serves (docs/decisions/0016-console-bundle.md):
// web/'s ES modules and their libraries bundled into one minified main.js by esbuild
// (and a chunk for what is imported only when needed), early.js (the page's first script,
// which sends the first screen's API requests: decision 0016) bundled on its own,
// index.html without the import map the bundle no longer needs, the stylesheets and the
// icon, and the libraries' own ES modules for --console-dir (development serves web/'s
// modules unbundled, and they import these through the import map).
//
// Usage: node scripts/build-console.mjs WEB_DIR NODE_MODULES_DIR OUT_DIR
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";

const [webDir, modulesDir, outDir] = process.argv.slice(2);
if (!webDir || !modulesDir || !outDir) {
  process.stderr.write("usage: node build-console.mjs WEB_DIR NODE_MODULES_DIR OUT_DIR\n");
  process.exit(2);
}

// The libraries' ES module builds, under the names the import map of web/index.html gives them.
const VENDOR = [
  "preact/dist/preact.mjs", "preact/hooks/dist/hooks.mjs", "htm/dist/htm.mjs",
  "@preact/signals/dist/signals.mjs", "@preact/signals-core/dist/signals-core.mjs",
  "uplot/dist/uPlot.esm.js", "uplot/dist/uPlot.min.css",
];
const IMPORT_MAP = /<script type="importmap">[\s\S]*?<\/script>\n?/;
const PRELOAD_PLACEHOLDER = /\{\{modulepreload\}\}\n?/;

// esbuild comes from the same npm install as the libraries (package.json's devDependencies).
const esbuild = createRequire(path.join(path.resolve(modulesDir), "noop.js"))("esbuild");

// The page that loads the bundle: a module script and no inline script, so the
// Content-Security-Policy needs no hash. It must have had the import map: that is how
// this build knows it is rewriting the page it expects.
function productionIndex(source) {
  if (!IMPORT_MAP.test(source) || !PRELOAD_PLACEHOLDER.test(source)) {
    throw new Error("web/index.html has no import map or {{modulepreload}}: update build-console.mjs with it");
  }
  return source.replace(IMPORT_MAP, "").replace(PRELOAD_PLACEHOLDER, "");
}

const COMMON = { bundle: true, format: "esm", minify: true, target: ["es2020"], logLevel: "warning" };

async function build() {
  rmSync(outDir, { recursive: true, force: true });  // a file deleted from web/ is not served any more
  mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    ...COMMON,
    entryPoints: [path.join(webDir, "main.js")],
    outdir: outDir,
    // What a page loads only when it needs it (uPlot, for charts) becomes a chunk of its own.
    splitting: true,
    chunkNames: "chunk-[hash]",
    nodePaths: [path.resolve(modulesDir)],
  });
  // early.js, the page's first script (it sends the first screen's requests), is bundled on
  // its own, without splitting: a chunk shared with main.js would be one more request before
  // it could run. main.js has its own copy of what it imports (early_requests.js).
  await esbuild.build({ ...COMMON, entryPoints: [path.join(webDir, "early.js")], outdir: outDir });
  for (const name of readdirSync(webDir)) {
    if (name.endsWith(".css") || name.endsWith(".svg")) copyFileSync(path.join(webDir, name), path.join(outDir, name));
  }
  for (const file of VENDOR) copyFileSync(path.join(modulesDir, file), path.join(outDir, path.basename(file)));
  const index = readFileSync(path.join(webDir, "index.html"), "utf8");
  writeFileSync(path.join(outDir, "index.html"), productionIndex(index));
}

build().catch((error) => {
  process.stderr.write(`build-console.mjs: ${error.stack || error}\n`);
  process.exit(1);
});
