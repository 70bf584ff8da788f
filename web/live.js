// Live updates for a page: `useLive` calls `refresh` (at most every
// THROTTLE_MS) when an event the page cares about arrives, on every polling
// tick while the event stream is unavailable, and after the tab comes back.
// LiveStatus says which of those is happening, in words.
import { useEffect, useRef } from "preact/hooks";
import { html } from "./html.js";
import { Icon } from "./icons.js";
import { liveMode, subscribe } from "./api.js";

const THROTTLE_MS = 500;

export function useLive(refresh, matches = () => true) {
  const latest = useRef({ refresh, matches });
  latest.current = { refresh, matches };
  useEffect(() => {
    let timer = null;
    return subscribe((event) => {
      const generic = event.type === "poll" || event.type === "reset";
      if (!generic && !latest.current.matches(event)) return;
      if (timer) return;
      timer = setTimeout(() => {
        timer = null;
        latest.current.refresh();
      }, generic ? 0 : THROTTLE_MS);
    });
  }, []);
}

const MODES = {
  connecting: ["poll", "Connecting…"],
  live: ["live", "Live"],
  polling: ["poll", "Updating every 5 s"],
  paused: ["paused", "Paused while hidden"],
};

export function LiveStatus() {
  const mode = MODES[liveMode.value];
  if (!mode) return null;
  return html`<span class=${`live-status live-${liveMode.value}`} role="status"><${Icon} name=${mode[0]} />${mode[1]}</span>`;
}
