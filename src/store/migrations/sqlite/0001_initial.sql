-- Times are integers: milliseconds since the Unix epoch, UTC.
CREATE TABLE jobs (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL,
  schedule_kind TEXT    NOT NULL,            -- 'interval' | 'every' (more kinds later)
  schedule_expr TEXT    NOT NULL,            -- 'weekly', '1h30m', ...
  timezone      TEXT,                        -- IANA name for calendar schedules
  start_at      INTEGER,
  end_at        INTEGER,                     -- exclusive
  task          TEXT    NOT NULL DEFAULT '', -- JSON object text, '' when none
  is_active     INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  last_run      INTEGER,
  next_run      INTEGER,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  version       INTEGER NOT NULL DEFAULT 1
);

-- The scheduler's one question, "what is due next?", reads only this index.
CREATE INDEX jobs_due ON jobs (next_run) WHERE is_active = 1 AND next_run IS NOT NULL;

CREATE TABLE runs (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id           INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  scheduled_for    INTEGER NOT NULL,
  trigger          TEXT    NOT NULL DEFAULT 'schedule' CHECK (trigger IN ('schedule', 'manual')),
  state            TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'timed_out', 'skipped', 'cancelled')),
  attempt          INTEGER NOT NULL DEFAULT 1,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  duration_ms      INTEGER,
  output           TEXT,
  error            TEXT,
  lease_owner      TEXT,
  lease_expires_at INTEGER
);

-- Each scheduled occurrence fires once: a second insert for the same job and
-- time is refused by the database itself. Manual triggers are outside it.
CREATE UNIQUE INDEX runs_occurrence ON runs (job_id, scheduled_for) WHERE trigger = 'schedule';
CREATE INDEX runs_by_job ON runs (job_id, id);
CREATE INDEX runs_queued ON runs (id) WHERE state = 'queued';
