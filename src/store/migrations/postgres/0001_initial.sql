-- The same schema as migrations/sqlite, version for version (a step that
-- only SQLite needs is an empty step here), so `jobsched migrate` reports
-- the same version on either store.
-- Times are bigints: milliseconds since the Unix epoch, UTC, as in SQLite.
CREATE TABLE jobs (
  id            bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name          text    NOT NULL,
  schedule_kind text    NOT NULL,            -- 'interval' | 'every' | 'cron' | 'at'
  schedule_expr text    NOT NULL,            -- 'weekly', '1h30m', ...
  timezone      text,                        -- IANA name for calendar schedules
  start_at      bigint,
  end_at        bigint,                      -- exclusive
  task          text    NOT NULL DEFAULT '', -- JSON object text, '' when none
  is_active     boolean NOT NULL DEFAULT true,
  last_run      bigint,
  next_run      bigint,
  created_at    bigint  NOT NULL,
  updated_at    bigint  NOT NULL,
  version       bigint  NOT NULL DEFAULT 1
);

-- The scheduler's one question, "what is due next?", reads only this index;
-- FireDueJobs locks its due rows through it (FOR UPDATE SKIP LOCKED).
CREATE INDEX jobs_due ON jobs (next_run) WHERE is_active AND next_run IS NOT NULL;

CREATE TABLE runs (
  id               bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id           bigint  NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  scheduled_for    bigint  NOT NULL,
  trigger          text    NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
  state            text    NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')),
  attempt          integer NOT NULL DEFAULT 1,
  created_at       bigint  NOT NULL,
  started_at       bigint,
  finished_at      bigint,
  duration_ms      bigint,
  output           text,
  error            text,
  lease_owner      text,
  lease_expires_at bigint
);

-- Each scheduled occurrence fires once, however many nodes fire it: a second
-- insert for the same job and time is refused by the database itself (the
-- firing uses ON CONFLICT ... DO NOTHING). Manual triggers are outside it.
CREATE UNIQUE INDEX runs_occurrence ON runs (job_id, scheduled_for) WHERE trigger = 'schedule';
CREATE INDEX runs_by_job ON runs (job_id, id);
-- The claim path: queued runs, oldest first (FOR UPDATE SKIP LOCKED).
CREATE INDEX runs_queued ON runs (id) WHERE state = 'queued';
