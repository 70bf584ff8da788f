-- A number that changes whenever a job's row does, so that a list can tell
-- from two columns whether the job cache's snapshot of a row is still that
-- row (issue #19): before, it compared all 26 columns, and reading them was
-- half of a list's CPU. The service's own statements bump it as they write
-- (row_version = row_version + 1); the triggers make other writers do so too:
-- an UPDATE that leaves it alone (a person's sqlite3 session, an older
-- binary) bumps it afterwards, and a row inserted without one (an id given
-- again by hand) gets a random start, so it cannot pass for a snapshot of the
-- row that had that id before. Versions stay below 2^62, so adding one never
-- overflows into a REAL.
--
-- The update trigger names its columns, all but next_run and last_run: a
-- statement that sets none of them (the scheduler's advance after each fire)
-- then runs no trigger at all, where an unconditional row trigger cost about
-- 4 µs a fire (bench/schedule.sh burst, 1.47 s to 1.79 s for 100,000 fires).
-- A hand-made change of next_run alone is not seen by lists, as the
-- scheduler does not see it either. A migration that adds a column to jobs
-- must add it here too (drop and create the trigger again).
ALTER TABLE jobs ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER jobs_row_version_update AFTER UPDATE OF
  id, name, schedule_kind, schedule_expr, timezone, start_at, end_at, task, is_active, created_at, updated_at,
  version, timeout_ms, retry, misfire, catchup_window_ms, overlap, jitter_ms, namespace, duplicate_name,
  paused_reason, paused_at, paused_until, labels, alerts ON jobs
WHEN new.row_version IS old.row_version BEGIN
  UPDATE jobs SET row_version = (old.row_version + 1) & 4611686018427387903 WHERE id = new.id;
END;
CREATE TRIGGER jobs_row_version_insert AFTER INSERT ON jobs WHEN new.row_version = 0 BEGIN
  UPDATE jobs SET row_version = 1 + (random() & 1152921504606846975) WHERE id = new.id;
END;
