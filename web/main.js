// The console's entry point: reads the session and shows the page the URL
// names inside the common layout. A 401 from the API (no session, or
// it ended) leads to the sign-in page, coming back here afterwards.
import { computed } from "@preact/signals";
import { render } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { html } from "./html.js";
import { adoptEarlyRequests, dropEarlyRequests, onUnauthenticated } from "./api.js";
import { AdminPage } from "./admin_page.js";
import { JobFormPage } from "./job_form_page.js";
import { JobPage } from "./job_page.js";
import { JobsPage } from "./jobs_page.js";
import { Layout } from "./layout.js";
import { OverviewPage } from "./overview_page.js";
import { RunPage } from "./run_page.js";
import { RunsPage } from "./runs_page.js";
import { Link, navigate, paths, route, useTitle } from "./router.js";
import { loadSession, session } from "./session.js";
import { SignInPage } from "./signin_page.js";
import "./theme.js";

const PAGES = {
  overview: OverviewPage,
  jobs: JobsPage,
  "new-job": JobFormPage,
  "edit-job": JobFormPage,
  job: JobPage,
  runs: RunsPage,
  run: RunPage,
  admin: AdminPage,
  signin: SignInPage,
};

function NotFound() {
  useTitle("Not found");
  return html`<h1>Not found</h1><p>The console has no page at ${location.pathname}.
    <${Link} href=${paths.overview()}>Go to the overview</${Link}>.</p>`;
}

function toSignIn() {
  if (route.value.name === "signin") return;
  navigate(paths.signin(location.pathname + location.search), { replace: true });
}

// App renders again only when this flips, not when the session arrives: the
// pages that show the role read it themselves, and a render of the whole
// page for nothing cost the jobs list a second layout of its table.
const signedOut = computed(() => session.value.status === "signed-out");

function App() {
  const current = route.value;
  const out = signedOut.value;
  const first = useRef(true);
  useEffect(() => {
    if (out) toSignIn();
  }, [out, current.name]);
  // After moving to another page, focus its content, as a page load would.
  useEffect(() => {
    if (first.current) first.current = false;
    else document.getElementById("main")?.focus();
  }, [current.name, current.id]);
  // While the session is read the page already loads its data, in parallel: the API
  // decides what it may see (a 401 leads to sign-in), and change buttons stay disabled
  // until the role is known.
  if (out && current.name !== "signin") return html`<${Layout}><p class="muted">Signing in…</p></${Layout}>`;
  const Page = PAGES[current.name] || NotFound;
  // Keyed by the path: a new job or run starts its page afresh.
  return html`<${Layout}><${Page} key=${`${current.name}/${current.id}`} /></${Layout}>`;
}

onUnauthenticated(() => {
  if (session.value.status !== "signed-out") session.value = { status: "signed-out", authentication: true };
  toSignIn();
});

// On a page whose data early.js asked for (the jobs list), the first render waits (up to
// FIRST_RENDER_WAIT_MS) for the answers and the session: the page is then rendered, laid out
// and painted once, with its rows and the role, instead of a frame of empty shell and a
// render (and layout) for each answer a frame or two later. If the API is slow, the page
// shows itself without them and loads them as usual. Elsewhere it renders at once: its own
// requests start with its first render.
const FIRST_RENDER_WAIT_MS = 100;

function start() {
  render(html`<${App} />`, document.getElementById("app"));
  dropEarlyRequests();
}

const pageData = adoptEarlyRequests();
const sessionRead = loadSession();
if (pageData === null) start();
else {
  const deadline = new Promise((resolve) => setTimeout(resolve, FIRST_RENDER_WAIT_MS));
  Promise.race([Promise.all([pageData, sessionRead]), deadline]).then(start);
}
