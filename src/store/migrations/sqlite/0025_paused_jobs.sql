-- GET /jobs?is_active=false (the console's "paused" filter) without reading
-- jobs in id order until a page of paused ones is found: with 1 job in 1,000
-- paused that read about 100,000 rows for a page (9 ms at 1,000,000 jobs,
-- bench/README.md "Scale"). Paused jobs are few, so the index is small, and
-- only a pause, a resume, a create or a delete writes it, not a fire.
-- ListJobs writes the condition as a literal so the planner can use it.
CREATE INDEX IF NOT EXISTS jobs_paused ON jobs (id) WHERE is_active = 0;
