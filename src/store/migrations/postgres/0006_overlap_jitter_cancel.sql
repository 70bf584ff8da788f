-- What happens when a run is due while an earlier one has not finished.
-- Jobs stored before this migration ran under "allow" (no check existed), so
-- they keep it; new jobs always write their policy (default skip).
ALTER TABLE jobs ADD COLUMN overlap text NOT NULL DEFAULT 'allow'
  CHECK (overlap IN ('skip', 'allow', 'queue'));
-- The longest delay a scheduled run may get, spreading starts out.
ALTER TABLE jobs ADD COLUMN jitter_ms bigint NOT NULL DEFAULT 0;
-- The delay this run got (its available_at was scheduled_for + jitter_ms).
ALTER TABLE runs ADD COLUMN jitter_ms bigint NOT NULL DEFAULT 0;
-- Someone asked to cancel this running run; its executor stops it and it
-- ends as cancelled.
ALTER TABLE runs ADD COLUMN cancel_requested_at bigint;

-- "Has this job an unfinished run?", asked on every firing under overlap
-- skip and on every claim under overlap queue: only unfinished runs are here.
CREATE INDEX runs_unfinished_by_job ON runs (job_id, id) WHERE state IN ('queued', 'running');
