-- The console's job list: substring search on names and sorting by name.
-- Names, searched anywhere in them, case-insensitively: FTS5's trigram
-- tokenizer indexes every three characters of each name; an external-content
-- table keeps only the index, the names stay in jobs. Triggers keep it in
-- step with every insert, rename and delete.
CREATE VIRTUAL TABLE IF NOT EXISTS jobs_search USING fts5(name, content = 'jobs', content_rowid = 'id', tokenize = 'trigram');
CREATE TRIGGER IF NOT EXISTS jobs_search_insert AFTER INSERT ON jobs BEGIN
  INSERT INTO jobs_search (rowid, name) VALUES (new.id, new.name);
END;
CREATE TRIGGER IF NOT EXISTS jobs_search_delete AFTER DELETE ON jobs BEGIN
  INSERT INTO jobs_search (jobs_search, rowid, name) VALUES ('delete', old.id, old.name);
END;
CREATE TRIGGER IF NOT EXISTS jobs_search_rename AFTER UPDATE OF name ON jobs WHEN old.name IS NOT new.name BEGIN
  INSERT INTO jobs_search (jobs_search, rowid, name) VALUES ('delete', old.id, old.name);
  INSERT INTO jobs_search (rowid, name) VALUES (new.id, new.name);
END;
INSERT INTO jobs_search (jobs_search) VALUES ('rebuild');
-- Pages of jobs sorted by name read this index in order (keyset on name, id).
CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs (name, id);
