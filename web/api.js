// The one module that talks to the jobsched API: every request the console
// makes goes through `call`, so errors are always ApiError (from the API's
// problem+json), the session's CSRF token rides on every change, and paging
// follows the API's Link headers. Pages call the named functions below and
// never build an API URL themselves. Live updates come from the event stream
// (GET /events), or from polling while it is unavailable; see `subscribe`.
import { signal } from "@preact/signals";
import { GET_INIT, jobsListQuery, takeEarlyResponses, withQuery } from "./early_requests.js";

let csrfToken = null;
const unauthenticatedListeners = new Set();

// The token `POST /sessions` and `GET /session` return; sent as X-CSRF-Token
// on every request that changes something (docs/decisions/0008).
export function setCsrfToken(token) {
  csrfToken = token || null;
}

// Called with the failed request when the API answers 401 (no session, or it
// ended): the console then asks the person to sign in.
export function onUnauthenticated(listener) {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

// An answer that was not a success, as the API described it (RFC 9457).
export class ApiError extends Error {
  constructor(method, path, status, problem) {
    const title = problem.title || (status ? `HTTP ${status}` : "No answer");
    super(`${method} ${path} answered ${status || "nothing"} ${title}: ${problem.detail || ""}`.trim());
    this.status = status;
    this.title = title;
    this.detail = problem.detail || "";
    this.field = problem.field || null;
    this.code = problem.code || null;
    this.request = `${method} ${path}`;
  }
}

// The `cursor` of the next page named by a Link header, or null.
function nextCursor(headers) {
  const link = headers.get("Link");
  const match = link && /<([^>]+)>;\s*rel="next"/.exec(link);
  return match ? new URL(match[1], location.origin).searchParams.get("cursor") : null;
}

async function readBody(response) {
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get("Content-Type") || "";
  const text = await response.text();
  if (type.includes("json") && text) {
    try {
      return JSON.parse(text);
    } catch {
      return { detail: text };
    }
  }
  return text ? { detail: text.slice(0, 300) } : null;
}

// A request's answer as `call` returns it: {data, status, etag, next}, or an ApiError.
async function finish(method, path, pending) {
  let response;
  try {
    response = await pending;
  } catch (error) {
    throw new ApiError(method, path, 0, { title: "No answer", detail: `the service did not answer (${error.message})` });
  }
  const data = await readBody(response);
  if (!response.ok) {
    const error = new ApiError(method, path, response.status, data && typeof data === "object" ? data : {});
    if (response.status === 401) unauthenticatedListeners.forEach((listener) => listener(error));
    throw error;
  }
  return { data, status: response.status, etag: response.headers.get("ETag"), next: nextCursor(response.headers) };
}

// The first screen's GETs that early.js sent (early_requests.js), by target:
// {promise, result} (result: the answer once it is read, if it succeeded).
const early = new Map();

// Takes early.js's requests. Returns a promise of their answers (settled when all are
// answered or failed), or null when early.js asked for nothing but the session.
export function adoptEarlyRequests() {
  for (const [target, response] of takeEarlyResponses()) {
    const entry = { result: null };
    entry.promise = finish("GET", target.split("?")[0], response);
    entry.promise.then((result) => { entry.result = result; }, () => {});
    early.set(target, entry);
  }
  if ([...early.keys()].every((target) => target === "/session")) return null;
  return Promise.all([...early.values()].map((entry) => entry.promise.catch(() => {})));
}

// After the first render: a later request asks the API again (early answers
// are only as fresh as the page's load).
export function dropEarlyRequests() {
  early.clear();
}

// The answer an early request already has for GET `path`?`query`, taken (once), or null.
function earlyAnswer(path, query) {
  const target = withQuery(path, query);
  const entry = early.get(target);
  if (!entry || !entry.result) return null;
  early.delete(target);
  return entry.result;
}

function call(method, path, { query, body, headers = {} } = {}) {
  const target = withQuery(path, query);
  const sent = method === "GET" && early.get(target);
  if (sent) {
    early.delete(target);
    return sent.promise;
  }
  const init = { method, headers: { ...GET_INIT.headers, ...headers }, credentials: GET_INIT.credentials };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  if (method !== "GET" && csrfToken) init.headers["X-CSRF-Token"] = csrfToken;
  return finish(method, path, fetch(target, init));
}

const id = (value) => encodeURIComponent(String(value));

// -- session (sign-in) ------------------------------------------------------
export const getSession = () => call("GET", "/session");
export const signIn = (token) => call("POST", "/sessions", { body: { token } });
export const signOut = () => call("DELETE", "/session");

// -- jobs ---------------------------------------------------------------------
// `filters`: q, type, is_active, namespace, label, last_outcome, sort, cursor, limit.
export const listJobs = (filters) => call("GET", "/jobs", { query: jobsListQuery(filters) });
// The jobs page's first list (its URL's `filters`) if early.js's request already has it, else null.
export const earlyJobs = (filters) => earlyAnswer("/jobs", jobsListQuery(filters));
export const getJob = (jobId) => call("GET", `/jobs/${id(jobId)}`);
export const nextRuns = (jobId, tz, count = 10) => call("GET", `/jobs/${id(jobId)}/next`, { query: { count, tz } });
export const jobRuns = (jobId, { cursor, limit } = {}) =>
  call("GET", `/jobs/${id(jobId)}/runs`, { query: { cursor, limit } });
export const jobHistory = (jobId, { cursor, limit } = {}) =>
  call("GET", `/jobs/${id(jobId)}/history`, { query: { cursor, limit } });
export const createJob = (job, { dryRun = false } = {}) =>
  call("POST", "/jobs", { body: job, query: { dry_run: dryRun ? "true" : undefined } });
// `etag`: the job's ETag as read; the change is refused (412) if the job moved on.
export const updateJob = (jobId, patch, etag, { dryRun = false } = {}) =>
  call("PATCH", `/jobs/${id(jobId)}`, {
    body: patch,
    headers: etag ? { "If-Match": etag } : {},
    query: { dry_run: dryRun ? "true" : undefined },
  });
export const deleteJob = (jobId) => call("DELETE", `/jobs/${id(jobId)}`);
// `reason`, `until` (an RFC 3339 instant or a duration such as "2h"): optional.
export const pauseJob = (jobId, { reason, until } = {}) =>
  call("POST", `/jobs/${id(jobId)}/pause`, reason || until ? { body: { reason, until } } : {});
export const resumeJob = (jobId) => call("POST", `/jobs/${id(jobId)}/resume`);
export const triggerJob = (jobId) => call("POST", `/jobs/${id(jobId)}/trigger`);
// `target`: {ids: [...]} or {filter: {...}}; with dryRun, only how many would change.
export const bulkJobs = (action, target, { dryRun = false } = {}) =>
  call("POST", "/jobs/bulk", { body: { action, ...target, ...(dryRun ? { dry_run: true } : {}) } });

// Whether this service takes ?dry_run=true on POST /jobs. An older one would
// ignore it and create the job, so the form asks once, with a request that
// can never create anything (an empty body, and dry_run=check, which a
// service with dry runs refuses naming the field before reading the body).
let dryRunSupport = null;
export function supportsDryRun() {
  dryRunSupport ||= call("POST", "/jobs", { body: {}, query: { dry_run: "check" } }).then(
    () => false,
    (error) => error.field === "dry_run",
  );
  return dryRunSupport;
}

// -- runs ---------------------------------------------------------------------
// `filters`: state, job_id, trigger, scheduled_from, scheduled_until, cursor, limit.
export const listRuns = (filters) => call("GET", "/runs", { query: filters });
export const getRun = (runId) => call("GET", `/runs/${id(runId)}`);
export const runAttempts = (runId) => call("GET", `/runs/${id(runId)}/attempts`);
export const cancelRun = (jobId, runId) => call("POST", `/jobs/${id(jobId)}/runs/${id(runId)}/cancel`);
export const bulkRuns = (action, filter, { dryRun = false } = {}) =>
  call("POST", "/runs/bulk", { body: { action, filter, ...(dryRun ? { dry_run: true } : {}) } });

// -- schedules, statistics, administration -----------------------------------------
export const previewSchedule = (schedule) => call("POST", "/schedules/preview", { body: schedule });
export const getStats = (window) => call("GET", "/stats", { query: { window } });
export const listKeys = () => call("GET", "/keys");
export const createKey = (key) => call("POST", "/keys", { body: key });
export const revokeKey = (name) => call("DELETE", `/keys/${id(name)}`);
export const listNodes = () => call("GET", "/nodes");
export const getAbout = () => call("GET", "/about");

// -- live updates -------------------------------------------------------------------
// How the console hears of changes: "connecting", "live" (the event stream is open),
// "polling" (it is not: every listener is called every POLL_MS instead),
// "paused" (the tab is hidden: nothing runs), or "off" (nobody listens).
export const liveMode = signal("off");

const POLL_MS = 5000;
const STREAM_RETRY_MS = 30000;
const EVENT_TYPES = ["job.created", "job.updated", "job.deleted", "run.queued", "run.started", "run.finished",
  "reset", "shutdown"];
const liveListeners = new Set();
let stream = null;
let pollTimer = null;
let retryTimer = null;

function emit(event) {
  for (const listener of [...liveListeners]) listener(event);
}

function startPolling() {
  liveMode.value = "polling";
  pollTimer ||= setInterval(() => emit({ type: "poll" }), POLL_MS);
}

function stopAll() {
  stream?.close();
  stream = null;
  clearInterval(pollTimer);
  clearTimeout(retryTimer);
  pollTimer = retryTimer = null;
}

function onStreamEvent(message) {
  let event;
  try {
    event = JSON.parse(message.data);
  } catch {
    event = {};
  }
  event.type ||= message.type;
  if (event.type === "shutdown") {
    // This node is going away: poll, and try again later (maybe another node).
    stream?.close();
    stream = null;
    startPolling();
    retryTimer = setTimeout(openStream, STREAM_RETRY_MS);
  }
  emit(event);
}

function openStream() {
  if (document.hidden || liveListeners.size === 0 || stream) return;
  stream = new EventSource("/events", { withCredentials: true });
  stream.onopen = () => {
    clearInterval(pollTimer);
    pollTimer = null;
    liveMode.value = "live";
  };
  // Events may come unnamed (message) or named by their type; either way once.
  stream.onmessage = onStreamEvent;
  for (const type of EVENT_TYPES) stream.addEventListener(type, onStreamEvent);
  stream.onerror = () => {
    // CONNECTING: the browser reconnects by itself (sending Last-Event-ID);
    // CLOSED: the stream is refused (no such endpoint, signed out): poll.
    startPolling();
    if (stream && stream.readyState === EventSource.CLOSED) {
      stream = null;
      retryTimer ||= setTimeout(() => {
        retryTimer = null;
        openStream();
      }, STREAM_RETRY_MS);
    }
  };
}

function resume() {
  if (liveListeners.size === 0) return;
  liveMode.value = "connecting";
  openStream();
  // Whatever changed while the tab was hidden: refetch.
  emit({ type: "reset" });
}

document.addEventListener("visibilitychange", () => {
  if (document.hidden) {
    stopAll();
    if (liveListeners.size > 0) liveMode.value = "paused";
  } else {
    resume();
  }
});

// Calls `listener` with each event ({type, job_id, run_id, namespace,
// state}), with {type: "poll"} every few seconds while the stream is
// unavailable, and with {type: "reset"} when everything should be refetched.
// Returns the function that stops listening.
export function subscribe(listener) {
  liveListeners.add(listener);
  if (liveListeners.size === 1 && !document.hidden) {
    liveMode.value = "connecting";
    openStream();
  }
  return () => {
    liveListeners.delete(listener);
    if (liveListeners.size === 0) {
      stopAll();
      liveMode.value = "off";
    }
  };
}
