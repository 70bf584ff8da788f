-- A number that changes whenever a job's row does, so that a list can tell
-- from two columns whether the job cache's snapshot of a row is still that
-- row (issue #19): before, it compared all 26 columns, and reading them was
-- half of a list's CPU. The service's own statements bump it as they write
-- (row_version = row_version + 1); the triggers make any other write do so
-- too: an UPDATE that leaves it alone (a person's sqlite3 session, an older
-- binary) bumps it afterwards, and a row inserted without one (an id given
-- again by hand) gets a random start, so it cannot pass for a snapshot of the
-- row that had that id before. Versions stay below 2^62, so adding one never
-- overflows into a REAL.
ALTER TABLE jobs ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
CREATE TRIGGER jobs_row_version_update AFTER UPDATE ON jobs
WHEN new.row_version IS old.row_version BEGIN
  UPDATE jobs SET row_version = (old.row_version + 1) & 4611686018427387903 WHERE id = new.id;
END;
CREATE TRIGGER jobs_row_version_insert AFTER INSERT ON jobs WHEN new.row_version = 0 BEGIN
  UPDATE jobs SET row_version = 1 + (random() & 1152921504606846975) WHERE id = new.id;
END;
