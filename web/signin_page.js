// Sign in: an API key is exchanged for a session (POST /sessions), kept in
// an HttpOnly cookie; the key itself is not stored in the browser.
import { useState } from "preact/hooks";
import { html } from "./html.js";
import { ProblemMessage } from "./problem_view.js";
import { navigate, paths, route, useTitle } from "./router.js";
import { session, signIn } from "./session.js";

// Only a path of the console itself: never a link to another site.
function nextPath() {
  const next = route.value.query.get("next") || "";
  return next.startsWith("/ui/") && !next.startsWith("/ui//") ? next : paths.overview();
}

export function SignInPage() {
  useTitle("Sign in");
  const [token, setToken] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const current = session.value;
  if (current.status === "ready" && !current.authentication) {
    return html`<h1>Sign in</h1><p>This service needs no sign-in: it listens on loopback and has no API keys.
      <a href=${paths.overview()}>Go to the overview</a>.</p>`;
  }
  const submit = async (event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(token.trim());
      navigate(nextPath(), { replace: true });
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="signin">
    <h1>Sign in</h1>
    <p>Sign in with an API key (made with <code>jobsched keys create</code>). The console keeps a session for
      12 hours of use; the key is not stored in this browser.</p>
    <form onSubmit=${submit}>
      <div class="field">
        <label for="token">API key</label>
        <input id="token" type="password" autocomplete="off" required value=${token} placeholder="jsk_…"
          onInput=${(event) => setToken(event.currentTarget.value)} />
      </div>
      <${ProblemMessage} error=${error} title=${error?.status === 401 ? "That key is not valid" : undefined} />
      <button type="submit" class="primary" disabled=${busy || !token.trim()}>${busy ? "Signing in…" : "Sign in"}</button>
    </form>
  </div>`;
}
