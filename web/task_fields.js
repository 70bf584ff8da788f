// The task part of the job form: what the job does, by type (webhook,
// email, compute, shell command, nothing), with a control for every member
// of that type. Secrets show as REDACTED; leaving REDACTED keeps them.
import { html } from "./html.js";
import { SelectField, TextArea, TextField } from "./form_field.js";

const TYPES = [["", "By its name (the original service's behaviour)"], ["noop", "Nothing (noop): record a run"],
  ["http", "Call a webhook (http)"], ["email", "Send an email"], ["compute", "Compute (number crunching)"],
  ["shell", "Run a command on the server (shell)"]];
const METHODS = ["POST", "GET", "PUT", "PATCH", "DELETE", "HEAD"].map((m) => [m, m]);
const FUNCTIONS = [["factorial_sum", "factorial_sum: sum of i! for i = 1..n (n ≤ 20000)"],
  ["prime_count", "prime_count: primes ≤ n (n ≤ 2000000000)"],
  ["monte_carlo_pi", "monte_carlo_pi: estimate π from n samples (n ≤ 1000000000)"]];

function Http({ form }) {
  return html`<div class="row">
      <${SelectField} form=${form} name="task.method" label="Method" options=${METHODS} />
      <${TextField} form=${form} name="task.url" label="URL" type="url" required=${true} hint="http:// or https://" />
    </div>
    <${TextArea} form=${form} name="task.headers" label="Headers" hint="One per line: Name: value" />
    <${TextArea} form=${form} name="task.body" label="Body" hint="Sent as written" rows=${4} />
    <div class="row">
      <${TextField} form=${form} name="task.timeout" label="Request timeout, optional" hint="e.g. 10s; the job's timeout applies otherwise" />
      <${TextField} form=${form} name="task.expect_status" label="Expected status, optional" type="number" hint="Any 2xx when empty" />
    </div>
    <${TextField} form=${form} name="task.secret_headers" label="Secret headers, optional"
      hint="Comma-separated names whose values are hidden (Authorization always is)" />
    <${TextField} form=${form} name="task.signing_secret" label="Signing secret, optional" type="password" autocomplete="off"
      hint="16 to 1024 bytes; signs every request (HMAC-SHA256). REDACTED keeps the stored one." />`;
}

function Email({ form }) {
  return html`<${TextField} form=${form} name="task.to" label="To" required=${true} hint="Comma-separated addresses" />
    <${TextField} form=${form} name="task.cc" label="Cc, optional" hint="Comma-separated addresses" />
    <${TextField} form=${form} name="task.subject" label="Subject" />
    <${TextArea} form=${form} name="task.body" label="Message" rows=${4} />
    <${TextField} form=${form} name="task.from" label="From, optional" hint="The service's sender when empty" />`;
}

function Compute({ form }) {
  return html`<div class="row">
    <${SelectField} form=${form} name="task.function" label="Function" options=${FUNCTIONS} />
    <${TextField} form=${form} name="task.n" label="n" type="number" min="1" required=${true} />
  </div>`;
}

function Shell({ form }) {
  return html`<${TextArea} form=${form} name="task.command" label="Command" rows=${3}
      hint="The program, then one argument per line; no shell, no quoting" />
    <${TextArea} form=${form} name="task.env" label="Environment, optional" hint="One per line: NAME=value" />
    <${TextField} form=${form} name="task.secret_env" label="Secret variables, optional" hint="Comma-separated names from the environment" />
    <${TextField} form=${form} name="task.working_dir" label="Working directory, optional" hint="An absolute path" />`;
}

const BY_TYPE = { http: Http, email: Email, compute: Compute, shell: Shell };

export function TaskFields({ form }) {
  const Fields = BY_TYPE[form.values["task.type"]];
  return html`<fieldset class="group">
    <legend>Task</legend>
    <${SelectField} form=${form} name="task.type" label="What it does" options=${TYPES} />
    ${Fields && html`<${Fields} form=${form} />`}
  </fieldset>`;
}
