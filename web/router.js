// The console's own URLs: which page a path shows, and the paths of every
// view (filters in the query string, so every view is a link). Pages build
// links only through `paths`, and move with `navigate` (the History API).
import { signal } from "@preact/signals";
import { html } from "./html.js";

const ROUTES = [
  [/^\/ui\/?$/, "overview"],
  [/^\/ui\/jobs\/?$/, "jobs"],
  [/^\/ui\/jobs\/new\/?$/, "new-job"],
  [/^\/ui\/jobs\/([^/]+)\/edit\/?$/, "edit-job"],
  [/^\/ui\/jobs\/([^/]+)\/?$/, "job"],
  [/^\/ui\/runs\/?$/, "runs"],
  [/^\/ui\/runs\/([^/]+)\/?$/, "run"],
  [/^\/ui\/admin\/?$/, "admin"],
  [/^\/ui\/signin\/?$/, "signin"],
];

function parse() {
  for (const [pattern, name] of ROUTES) {
    const match = pattern.exec(location.pathname);
    if (match) {
      return { name, id: match[1] ? decodeURIComponent(match[1]) : null, query: new URLSearchParams(location.search) };
    }
  }
  return { name: "not-found", id: null, query: new URLSearchParams(location.search) };
}

// The page being shown: {name, id, query}.
export const route = signal(parse());

window.addEventListener("popstate", () => {
  route.value = parse();
});

export function navigate(href, { replace = false } = {}) {
  if (replace) history.replaceState(null, "", href);
  else history.pushState(null, "", href);
  route.value = parse();
  if (!replace) window.scrollTo(0, 0);
}

function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value !== undefined && value !== null && value !== "") params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

const seg = (value) => encodeURIComponent(String(value));

export const paths = {
  overview: (query) => withQuery("/ui/", query),
  jobs: (query) => withQuery("/ui/jobs", query),
  job: (id, query) => withQuery(`/ui/jobs/${seg(id)}`, query),
  newJob: (query) => withQuery("/ui/jobs/new", query),
  editJob: (id) => `/ui/jobs/${seg(id)}/edit`,
  runs: (query) => withQuery("/ui/runs", query),
  run: (id) => `/ui/runs/${seg(id)}`,
  admin: () => "/ui/admin",
  signin: (next) => withQuery("/ui/signin", { next }),
};

// The query string of the current view as a plain object.
export function queryObject() {
  return Object.fromEntries(route.value.query.entries());
}

// An <a> that moves within the console without reloading it (a plain link
// for modified clicks: new tab, new window).
export function Link({ href, children, ...rest }) {
  const onClick = (event) => {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey ||
        event.altKey) {
      return;
    }
    event.preventDefault();
    navigate(href);
  };
  return html`<a href=${href} onClick=${onClick} ...${rest}>${children}</a>`;
}

// Sets the document's title for the page shown ("Jobs · jobsched").
export function useTitle(title) {
  document.title = title ? `${title} · jobsched` : "jobsched";
}
