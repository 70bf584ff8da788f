// Loading data for a component: {data, error, loading, reload}. A reload
// keeps the data on screen until the new answer arrives (no flicker when
// live updates refetch), and an answer that arrives after a newer request
// was made is dropped.
import { useCallback, useLayoutEffect, useRef, useState } from "preact/hooks";

export function useLoad(load, deps) {
  const [state, setState] = useState({ data: null, error: null, loading: true });
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
  // On mount the state is already the empty one: resetting it would only render again.
  const mounted = useRef(false);
  useLayoutEffect(() => {
    if (mounted.current) setState({ data: null, error: null, loading: true });
    mounted.current = true;
    reload();
  }, [reload]);
  return { ...state, reload };
}
