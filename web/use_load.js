// Loading data for a component: {data, error, loading, reload}. A reload
// keeps the data on screen until the new answer arrives (no flicker when
// live updates refetch), and an answer that arrives after a newer request
// was made is dropped. `early` (optional) returns the answer when it is already
// at hand (api.earlyJobs: the page's first list, asked before the page existed):
// the component then renders with it at once and asks nothing on mount.
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";

const LOADING = { data: null, error: null, loading: true };

export function useLoad(load, deps, early = null) {
  const [state, setState] = useState(() => {
    const data = early && early();
    return data ? { data, error: null, loading: false } : LOADING;
  });
  const serial = useRef(0);
  const reload = useCallback(() => {
    const mine = ++serial.current;
    // Already loading (the first load): the same state, so no render for nothing.
    setState((previous) => (previous.loading ? previous : { ...previous, loading: true }));
    return load().then(
      (data) => mine === serial.current && setState({ data, error: null, loading: false }),
      (error) => mine === serial.current && setState((previous) => ({ data: previous.data, error, loading: false })),
    );
  }, deps);
  // A layout effect runs as soon as the component is in the page, a frame before a plain
  // effect would: the request starts at once (it does not hold the paint up; it is async).
  // On mount the state is already the empty one (resetting it would only render again),
  // or it holds the early answer, and then there is nothing to ask.
  const mounted = useRef(false);
  useLayoutEffect(() => {
    const first = !mounted.current;
    mounted.current = true;
    if (first && !state.loading) return;
    if (!first) setState(LOADING);
    reload();
  }, [reload]);
  return { ...state, reload };
}
