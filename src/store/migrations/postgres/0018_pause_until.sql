-- Pause with a reason, until an instant (POST /jobs/{id}/pause): set while a
-- job is paused, NULL otherwise. paused_at is when the pause began (NULL for
-- a job paused before 0018). The scheduler resumes a job at its paused_until
-- (earliest first, through the partial index).
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS paused_reason text;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS paused_at bigint;
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS paused_until bigint;
CREATE INDEX IF NOT EXISTS jobs_paused_until ON jobs (paused_until) WHERE paused_until IS NOT NULL;
