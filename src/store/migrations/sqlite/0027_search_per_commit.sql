-- New jobs reach the name search (0017) once per transaction, not once per
-- create. FTS5 (SQLite 3.40) writes its pending terms out as a new segment at
-- every statement savepoint, and an INSERT into jobs opens one (it has
-- triggers and a unique index): each create wrote a segment of its own and
-- rewrote the index's structure record, a third of the writer's time per
-- create (bench/README.md, "POST /jobs after the features"). Now the insert
-- trigger only notes the new id; the writer moves the noted jobs into the
-- index in one statement just before each COMMIT (SqliteJobStore's
-- IndexNewJobs), so a committed job is always searchable, and FTS5 writes
-- one segment for the whole batch.
CREATE TABLE IF NOT EXISTS jobs_search_pending (id INTEGER PRIMARY KEY);
DROP TRIGGER IF EXISTS jobs_search_insert;
DROP TRIGGER IF EXISTS jobs_search_delete;
DROP TRIGGER IF EXISTS jobs_search_rename;
CREATE TRIGGER jobs_search_insert AFTER INSERT ON jobs BEGIN
  INSERT OR IGNORE INTO jobs_search_pending (id) VALUES (new.id);
END;
-- A job still only noted is not in the index: deleting it from there would
-- corrupt it (an external-content table trusts the terms it is given).
CREATE TRIGGER jobs_search_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_search (jobs_search, rowid, name)
  SELECT 'delete', old.id, old.name WHERE NOT EXISTS (SELECT 1 FROM jobs_search_pending WHERE id = old.id);
  DELETE FROM jobs_search_pending WHERE id = old.id;
END;
-- A noted job renamed before its commit goes in under the name it has then.
CREATE TRIGGER jobs_search_rename AFTER UPDATE OF name ON jobs
WHEN old.name IS NOT new.name AND NOT EXISTS (SELECT 1 FROM jobs_search_pending WHERE id = old.id) BEGIN
  INSERT INTO jobs_search (jobs_search, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO jobs_search (rowid, name) VALUES (new.id, new.name);
END;
