// Between a job as the API shows it and the job form's values: flat text
// values keyed by the API's path of each member ("task.url",
// "retry.max_attempts"), so that a problem's `field` names its control.
import { viewerZone } from "./format.js";
import { isoToLocalInput, localInputToIso } from "./time_input.js";

export const SCHEDULE_KINDS = ["every", "cron", "interval", "at"];

export function emptyValues() {
  return {
    name: "", namespace: "", schedule: "every", interval: "hourly", every: "1h", cron: "", timezone: viewerZone,
    at: "", start_at: "", end_at: "",
    "task.type": "", "task.method": "POST", "task.url": "", "task.headers": "", "task.body": "", "task.timeout": "",
    "task.expect_status": "", "task.secret_headers": "", "task.signing_secret": "", "task.to": "", "task.cc": "",
    "task.subject": "", "task.from": "", "task.function": "factorial_sum", "task.n": "1000", "task.command": "",
    "task.env": "", "task.secret_env": "", "task.working_dir": "",
    timeout: "1m", "retry.max_attempts": "1", "retry.initial_delay": "10s", "retry.max_delay": "10m",
    "retry.jitter": "0.1", misfire: "run_once", catchup_window: "1h", overlap: "skip", jitter: "0s", is_active: true,
  };
}

const lines = (text) => String(text).split("\n").map((line) => line.trim()).filter(Boolean);
const list = (text) => String(text).split(",").map((item) => item.trim()).filter(Boolean);

function pairs(text, separator) {
  const result = {};
  for (const line of lines(text)) {
    const at = line.indexOf(separator);
    if (at > 0) result[line.slice(0, at).trim()] = line.slice(at + 1).trim();
    else result[line] = "";
  }
  return result;
}

const unpairs = (object, separator) => Object.entries(object || {}).map(([k, v]) => `${k}${separator}${v}`).join("\n");

function taskValues(task) {
  if (!task) return { "task.type": "" };
  const values = { "task.type": task.type };
  if (task.type === "http") {
    Object.assign(values, {
      "task.method": task.method || "POST", "task.url": task.url || "", "task.headers": unpairs(task.headers, ": "),
      "task.body": task.body ?? "", "task.timeout": task.timeout || "", "task.expect_status": task.expect_status ?? "",
      "task.secret_headers": (task.secret_headers || []).join(", "), "task.signing_secret": task.signing_secret || "",
    });
  } else if (task.type === "email") {
    Object.assign(values, {
      "task.to": [].concat(task.to || []).join(", "), "task.cc": [].concat(task.cc || []).join(", "),
      "task.subject": task.subject || "", "task.body": task.body || "", "task.from": task.from || "",
    });
  } else if (task.type === "compute") {
    Object.assign(values, { "task.function": task.function, "task.n": String(task.n) });
  } else if (task.type === "shell") {
    Object.assign(values, {
      "task.command": (task.command || []).join("\n"), "task.env": unpairs(task.env, "="),
      "task.secret_env": (task.secret_env || []).join(", "), "task.working_dir": task.working_dir || "",
    });
  }
  return values;
}

export function valuesFromJob(job) {
  const schedule = SCHEDULE_KINDS.find((kind) => job[kind]) || "every";
  return {
    ...emptyValues(),
    name: job.name, namespace: job.namespace, schedule,
    interval: job.interval || "hourly", every: job.every || "1h", cron: job.cron || "",
    timezone: job.timezone || "UTC", at: isoToLocalInput(job.at), start_at: isoToLocalInput(job.start_at),
    end_at: isoToLocalInput(job.end_at),
    ...taskValues(job.task),
    timeout: job.timeout, "retry.max_attempts": String(job.retry.max_attempts),
    "retry.initial_delay": job.retry.initial_delay, "retry.max_delay": job.retry.max_delay,
    "retry.jitter": String(job.retry.jitter), misfire: job.misfire, catchup_window: job.catchup_window,
    overlap: job.overlap, jitter: job.jitter, is_active: job.is_active,
  };
}

// A number when the text is one, else the text (the API then says what is wrong).
const numberOr = (text) => (text !== "" && !Number.isNaN(Number(text)) ? Number(text) : text);

function taskFrom(values) {
  const type = values["task.type"];
  if (!type) return null;
  if (type === "noop") return { type };
  if (type === "http") {
    const task = { type, method: values["task.method"], url: values["task.url"], headers: pairs(values["task.headers"], ":"),
      body: values["task.body"] };
    if (values["task.timeout"]) task.timeout = values["task.timeout"];
    if (values["task.expect_status"] !== "") task.expect_status = numberOr(values["task.expect_status"]);
    if (values["task.secret_headers"]) task.secret_headers = list(values["task.secret_headers"]);
    if (values["task.signing_secret"]) task.signing_secret = values["task.signing_secret"];
    return task;
  }
  if (type === "email") {
    const task = { type, to: list(values["task.to"]), cc: list(values["task.cc"]), subject: values["task.subject"],
      body: values["task.body"] };
    if (values["task.from"]) task.from = values["task.from"];
    return task;
  }
  if (type === "compute") return { type, function: values["task.function"], n: numberOr(values["task.n"]) };
  // One argument per line, as typed (spaces kept); trailing empty lines dropped.
  const task = { type, command: String(values["task.command"]).replace(/\n+$/, "").split("\n"),
    env: pairs(values["task.env"], "=") };
  if (values["task.secret_env"]) task.secret_env = list(values["task.secret_env"]);
  if (values["task.working_dir"]) task.working_dir = values["task.working_dir"];
  return task;
}

// The schedule members, as POST /schedules/preview and the job take them.
export function scheduleFrom(values) {
  const kind = values.schedule;
  const schedule = {};
  if (kind === "at") schedule.at = localInputToIso(values.at) || values.at;
  else schedule[kind] = values[kind];
  if (kind === "cron") schedule.timezone = values.timezone || null;
  if (kind !== "at") {
    schedule.start_at = localInputToIso(values.start_at) || null;
    schedule.end_at = localInputToIso(values.end_at) || null;
  }
  return schedule;
}

// Every member of the form, for POST /jobs (`namespace` only when given).
export function jobFrom(values) {
  const job = {
    name: values.name, ...scheduleFrom(values), task: taskFrom(values), timeout: values.timeout,
    retry: { max_attempts: numberOr(values["retry.max_attempts"]), initial_delay: values["retry.initial_delay"],
      max_delay: values["retry.max_delay"], jitter: numberOr(values["retry.jitter"]) },
    misfire: values.misfire, catchup_window: values.catchup_window, overlap: values.overlap, jitter: values.jitter,
    is_active: values.is_active,
  };
  if (values.namespace) job.namespace = values.namespace;
  return job;
}

// The PATCH of an edit: every member (a merge patch; null removes start_at,
// end_at, task and a cron's timezone), never the namespace (it cannot move).
export function patchFrom(values) {
  const patch = jobFrom({ ...values, namespace: "" });
  if (values.schedule !== "cron") patch.timezone = null;
  if (values.schedule === "at") Object.assign(patch, { start_at: null, end_at: null });
  return patch;
}

// The form control a problem's `field` names: "task.to[1]" -> "task.to".
export function controlFor(field, values) {
  if (!field) return null;
  const plain = field.replace(/\[\d+\]/g, "");
  for (let name = plain; name; name = name.includes(".") ? name.slice(0, name.lastIndexOf(".")) : "") {
    if (name in values) return name;
    if (name === "task") return "task.type";
    if (name === "retry") return "retry.max_attempts";
  }
  return null;
}
