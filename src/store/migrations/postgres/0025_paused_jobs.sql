-- GET /jobs?is_active=false (the console's "paused" filter) without reading
-- jobs in id order until a page of paused ones is found. Paused jobs are
-- few, so the index is small, and only a pause, a resume, a create or a
-- delete writes it, not a fire. ListJobs writes the condition as a literal
-- (not a parameter) so that every plan, generic or custom, can use it.
CREATE INDEX IF NOT EXISTS jobs_paused ON jobs (id) WHERE NOT is_active;
