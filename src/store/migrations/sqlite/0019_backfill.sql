-- Backfill (issue #18): runs with trigger 'backfill' are occurrences of the
-- job's schedule run late on request. A backfill run and a scheduled run of
-- the same instant are the same occurrence, so the unique key covers both
-- triggers; manual runs stay outside it.
--
-- SQLite cannot alter a CHECK, so runs is rebuilt as in 0003, with the same
-- columns and indexes (runs_occurrence keeps 0014's order and so its WAL
-- cost per run). Dropping runs deletes its rows first, and with them, by
-- their foreign key, run_attempts': those are kept aside and put back.
CREATE TABLE runs_rebuilt (
  id               INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id           INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
  scheduled_for    INTEGER NOT NULL,
  trigger          TEXT    NOT NULL DEFAULT 'schedule'
                   CHECK (trigger = 'schedule' OR trigger = 'manual' OR trigger = 'backfill'),
  state            TEXT    NOT NULL DEFAULT 'queued'
                   CHECK (state = 'queued' OR state = 'running' OR state = 'succeeded' OR state = 'failed' OR
                          state = 'timed_out' OR state = 'skipped' OR state = 'cancelled'),
  attempt          INTEGER NOT NULL DEFAULT 1,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  duration_ms      INTEGER,
  output           TEXT,
  error            TEXT,
  lease_owner      TEXT,
  lease_expires_at INTEGER,
  available_at     INTEGER,
  jitter_ms        INTEGER NOT NULL DEFAULT 0,
  cancel_requested_at INTEGER
);
INSERT INTO runs_rebuilt (id, job_id, scheduled_for, trigger, state, attempt, created_at, started_at, finished_at,
  duration_ms, output, error, lease_owner, lease_expires_at, available_at, jitter_ms, cancel_requested_at)
  SELECT id, job_id, scheduled_for, trigger, state, attempt, created_at, started_at, finished_at,
  duration_ms, output, error, lease_owner, lease_expires_at, available_at, jitter_ms, cancel_requested_at FROM runs;
-- AUTOINCREMENT's high-water mark moves over too: ids of pruned runs are never given again.
INSERT INTO sqlite_sequence (name, seq) SELECT 'runs_rebuilt', 0
  WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'runs_rebuilt');
UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'runs'), 0))
  WHERE name = 'runs_rebuilt';
CREATE TEMP TABLE run_attempts_kept AS SELECT * FROM run_attempts;
DROP TABLE runs;
ALTER TABLE runs_rebuilt RENAME TO runs;
INSERT INTO run_attempts (run_id, attempt, state, started_at, finished_at, error)
  SELECT run_id, attempt, state, started_at, finished_at, error FROM run_attempts_kept;
DROP TABLE run_attempts_kept;
-- The same indexes as before; only runs_occurrence's predicate is new, and
-- every ON CONFLICT that names it says the same: trigger <> 'manual'.
CREATE UNIQUE INDEX runs_occurrence ON runs (scheduled_for, job_id) WHERE trigger <> 'manual';
CREATE INDEX runs_by_job ON runs (job_id);
CREATE INDEX runs_queued ON runs (id) WHERE state = 'queued';
CREATE INDEX runs_running ON runs (lease_expires_at) WHERE state = 'running';
CREATE INDEX runs_unfinished_by_job ON runs (job_id, id) WHERE state = 'queued' OR state = 'running';
CREATE INDEX runs_finished_at ON runs (finished_at) WHERE state <> 'queued' AND state <> 'running';
