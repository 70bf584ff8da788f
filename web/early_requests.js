// The API requests a page's first screen needs, started by early.js as soon as
// the document is parsed: before the console's bundle has arrived and been
// evaluated, about 30 ms earlier than the page itself could ask, so that on a
// first visit the answers are there when the page first renders
// (docs/decisions/0016-console-bundle.md, "First paint"). api.js takes each response
// once, for the first render only (adoptEarlyRequests, dropEarlyRequests).
//
// early.js and main.js are bundled apart and each has a copy of this module:
// they share the requests through one property of window, not module state.
const KEY = "__jobschedEarly";

// The jobs page's rows per page, and the query of GET /jobs for `filters`
// (api.listJobs's): the page asks for {...its URL's filters, limit:
// JOBS_PAGE_SIZE}, and so does firstScreenTargets, so the targets match.
export const JOBS_PAGE_SIZE = 50;
export const JOBS_PAGE = /^\/ui\/jobs\/?$/;
export const jobsListQuery = (filters) => ({ include: "recent_runs", ...filters });

// path?query, without the empty values; the one way the console writes an API target.
export function withQuery(path, query) {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === "") continue;
    params.set(name, String(value));
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

// The init of every GET the console sends (api.js's own requests use the same).
export const GET_INIT = { method: "GET", headers: { Accept: "application/json" }, credentials: "same-origin" };

// What the page at `where` (a Location) asks on its first screen: the session on
// every page but sign-in, and the list on the jobs page.
export function firstScreenTargets(where) {
  if (/^\/ui\/signin\/?$/.test(where.pathname)) return [];
  const targets = ["/session"];
  if (JOBS_PAGE.test(where.pathname)) {
    const filters = Object.fromEntries(new URLSearchParams(where.search));
    targets.push(withQuery("/jobs", jobsListQuery({ ...filters, limit: JOBS_PAGE_SIZE })));
  }
  return targets;
}

// Sends them; their responses wait in window[KEY] (target -> Promise<Response>).
export function startEarlyRequests(where) {
  if (window[KEY]) return;
  window[KEY] = new Map(firstScreenTargets(where).map((target) => {
    const response = fetch(target, GET_INIT);
    response.catch(() => {});  // a failure is reported by the taker (api.js), or by nobody if none takes it
    return [target, response];
  }));
}

// The responses not taken yet, handed over once: [[target, Promise<Response>]...].
export function takeEarlyResponses() {
  const pending = window[KEY];
  window[KEY] = new Map();  // taken: started again by nobody
  return pending ? [...pending] : [];
}
