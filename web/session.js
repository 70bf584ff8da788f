// Who is using the console: the session of GET /session (decision 0008),
// read once at start and after signing in or out. Pages ask `mayWrite` and
// `isAdmin` to show or disable buttons; the API enforces the same rules
// whatever the page sends.
import { computed, signal } from "@preact/signals";
import * as api from "./api.js";

// {status: "loading" | "ready" | "signed-out" | "unavailable", authentication,
//  key_name, role, namespace, expires_at, error}
export const session = signal({ status: "loading" });

function accept(data) {
  api.setCsrfToken(data.csrf_token);
  session.value = { status: "ready", ...data };
}

export async function loadSession() {
  try {
    const { data } = await api.getSession();
    accept(data);
  } catch (error) {
    if (error.status === 401) {
      api.setCsrfToken(null);
      session.value = { status: "signed-out", authentication: true };
    } else {
      // No session endpoint (or no answer): the console still works, and the
      // API still decides what each request may do; the banner says why.
      session.value = { status: "unavailable", error };
    }
  }
}

export async function signIn(token) {
  const { data } = await api.signIn(token);
  accept(data);
}

export async function signOut() {
  try {
    await api.signOut();
  } finally {
    api.setCsrfToken(null);
    session.value = { status: "signed-out", authentication: true };
  }
}

const ROLES = ["read", "write", "admin"];
function atLeast(role) {
  const current = session.value;
  // Without a session answer the role is unknown: offer the buttons and let the API decide.
  if (current.status === "unavailable") return true;
  return current.status === "ready" && ROLES.indexOf(current.role) >= ROLES.indexOf(role);
}

export const mayWrite = computed(() => atLeast("write"));
export const isAdmin = computed(() => atLeast("admin"));

// Why a change button is disabled, for its description.
export const readOnlyReason = computed(() => {
  if (mayWrite.value) return "";
  if (session.value.status === "loading") return "Checking what your API key may do…";
  return `Your API key ${session.value.key_name || ""} has role ${session.value.role || "read"}: it may read, not change.`;
});
