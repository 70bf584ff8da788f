// Jobs: every job the caller may see, searched, filtered, sorted and paged
// (all in the URL), with bulk changes on the selection or on everything
// matching the filter.
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";
import * as api from "./api.js";
import { BulkActions } from "./bulk_actions.js";
import { JobFilters } from "./job_filters.js";
import { JobsTable } from "./jobs_table.js";
import { useLive } from "./live.js";
import { Pager } from "./pager.js";
import { Notice, ProblemMessage } from "./problem_view.js";
import { Link, navigate, paths, queryObject, route, useTitle } from "./router.js";
import { mayWrite, readOnlyReason, session } from "./session.js";
import { useLoad } from "./use_load.js";
import { JOBS_PAGE_SIZE } from "./early_requests.js";

export function JobsPage() {
  useTitle("Jobs");
  const filters = queryObject();
  const key = route.value.query.toString();
  const query = { ...filters, limit: JOBS_PAGE_SIZE };  // early_requests.js asks the same on a first visit
  const list = useLoad(() => api.listJobs(query), [key], () => api.earlyJobs(query));
  useLive(list.reload, (event) => event.type.startsWith("job.") || event.type === "run.finished");
  const [selected, setSelected] = useState(new Set());
  const [allMatching, setAllMatching] = useState(false);
  // Another filter or page: the selection starts over (not on the first render: it is empty).
  const selectedFor = useRef(key);
  useEffect(() => {
    if (selectedFor.current === key) return;
    selectedFor.current = key;
    setSelected(new Set());
    setAllMatching(false);
  }, [key]);

  const change = (name, value) => {
    const next = { ...filters, [name]: value };
    delete next.cursor;
    navigate(paths.jobs(next), { replace: name === "q" });
  };
  const select = (id, on) => {
    const next = new Set(selected);
    if (on) next.add(id);
    else next.delete(id);
    setSelected(next);
    setAllMatching(false);
  };
  const jobs = list.data?.data || [];
  const selectPage = (on) => {
    setSelected(on ? new Set(jobs.map((job) => job.id)) : new Set());
    setAllMatching(false);
  };
  const pageSelected = jobs.length > 0 && jobs.every((job) => selected.has(job.id));
  const nextCursor = list.data?.next;
  const { cursor, ...firstPage } = filters;
  const selection = allMatching ? { mode: "filter" } : { mode: "ids", ids: [...selected] };
  // The boxes' column stays while the role is still being read, so that the
  // table is not laid out again when it is known (the bulk buttons say why
  // they are disabled meanwhile).
  const selectable = mayWrite.value || session.value.status === "loading";

  return html`<div class="page-head">
      <h1>Jobs</h1>
      ${mayWrite.value && html`<${Link} class="button primary push" href=${paths.newJob()}>New job</${Link}>`}
    </div>
    <${JobFilters} filters=${filters} onChange=${change} />
    <${BulkActions} selection=${selection} filters=${filters} disabledReason=${readOnlyReason.value}
      onDone=${() => { setSelected(new Set()); setAllMatching(false); list.reload(); }} />
    ${pageSelected && !allMatching && html`<p class="select-all">
      ${`All ${jobs.length} jobs on this page are selected. `}
      <button type="button" class="link" onClick=${() => setAllMatching(true)}>Select every job matching the filter</button>
    </p>`}
    ${allMatching && html`<p class="select-all" role="status">Every job matching the filter is selected, on every page.
      <button type="button" class="link" onClick=${() => selectPage(false)}>Clear the selection</button></p>`}
    <${ProblemMessage} error=${list.error} title="The jobs could not be loaded" />
    ${list.loading && !list.data && html`<p class="muted">Loading…</p>`}
    ${list.data && jobs.length === 0 && html`<${Notice}>No jobs match.${mayWrite.value ? " " : ""}
      ${mayWrite.value && html`<${Link} href=${paths.newJob()}>Create one</${Link}>.`}</${Notice}>`}
    ${jobs.length > 0 && html`<${JobsTable} jobs=${jobs} selected=${selected} selectable=${selectable}
      onSelect=${select} onSelectPage=${selectPage} />`}
    <${Pager} label="Pages of jobs" firstHref=${cursor ? paths.jobs(firstPage) : null}
      nextHref=${nextCursor ? paths.jobs({ ...filters, cursor: nextCursor }) : null} />`;
}
