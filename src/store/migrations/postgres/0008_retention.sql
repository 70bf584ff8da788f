-- Finished runs, for pruning history (--keep-runs-days, --keep-runs-per-job)
-- without scanning the runs that are still to do: by age, and per job
-- newest first. Runs enter these indexes when they finish.
CREATE INDEX runs_finished_at ON runs (finished_at) WHERE state NOT IN ('queued', 'running');
CREATE INDEX runs_finished_by_job ON runs (job_id, id) WHERE state NOT IN ('queued', 'running');
