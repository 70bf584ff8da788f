// The frame of every page: a skip link, the header (navigation, live
// status, theme, who is signed in) and the page's own content in <main>.
import { html } from "./html.js";
import { Icon } from "./icons.js";
import { LiveStatus } from "./live.js";
import { Link, navigate, paths, route } from "./router.js";
import { isAdmin, session, signOut } from "./session.js";
import { ThemePicker } from "./theme.js";

const NAV = [
  ["overview", "Overview", () => paths.overview()],
  ["jobs", "Jobs", () => paths.jobs()],
  ["runs", "Runs", () => paths.runs()],
  ["admin", "Admin", () => paths.admin()],
];
const SECTION = { overview: "overview", jobs: "jobs", job: "jobs", "new-job": "jobs", "edit-job": "jobs", runs: "runs",
  run: "runs", admin: "admin" };

function Who() {
  const current = session.value;
  if (current.status !== "ready" || !current.authentication) return null;
  const out = async () => {
    await signOut().catch(() => {});
    navigate(paths.signin(), { replace: true });
  };
  return html`<div class="who">
    <span><${Icon} name="key" />${current.key_name} · ${current.role}${current.namespace ? ` · ${current.namespace}` : ""}</span>
    <button type="button" onClick=${out}>Sign out</button>
  </div>`;
}

function SessionBanner() {
  const current = session.value;
  if (current.status !== "unavailable") return null;
  return html`<div class="banner" role="status">
    <${Icon} name="warning" />
    <span>The console could not read its session (${current.error.message}). It shows every action; the API
      still decides what each request may do.</span>
  </div>`;
}

export function Layout({ children }) {
  const section = SECTION[route.value.name];
  const nav = NAV.filter(([name]) => name !== "admin" || isAdmin.value);
  return html`<a class="skip" href="#main">Skip to content</a>
    <header class="top">
      <${Link} class="brand" href=${paths.overview()}>jobsched</${Link}>
      <nav aria-label="Sections">
        <ul>
          ${nav.map(([name, label, href]) => html`<li>
            <${Link} href=${href()} aria-current=${section === name ? "page" : undefined}>${label}</${Link}>
          </li>`)}
        </ul>
      </nav>
      <div class="tools">
        <${LiveStatus} />
        <${ThemePicker} />
        <${Who} />
      </div>
    </header>
    <${SessionBanner} />
    <main id="main" tabindex="-1">${children}</main>`;
}
