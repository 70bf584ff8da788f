-- The audit log (issue #18, docs/decisions/0015-audit-log.md): one row per
-- change to a job or an API key, written in the transaction of the change.
-- before/after are the JSON the API shows (secrets REDACTED). No foreign key
-- to jobs: a deleted job's history stays readable until retention prunes it.
-- AUTOINCREMENT: ids are never reused after pruning, so keyset cursors and
-- "newest first" by id stay true.
CREATE TABLE audit_log (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,            -- ms since the epoch
  actor        TEXT    NOT NULL,            -- the key's name, or 'local' without authentication
  actor_key_id INTEGER,                     -- api_keys.id of that key; NULL for 'local'
  source       TEXT    NOT NULL DEFAULT '', -- the client's address (behind a trusted proxy: the forwarded one)
  request_id   TEXT    NOT NULL DEFAULT '',
  action       TEXT    NOT NULL,            -- job.created, job.updated, ..., key.revoked
  target_kind  TEXT    NOT NULL,            -- 'job' or 'key'
  target_id    INTEGER NOT NULL,
  namespace    TEXT    NOT NULL,
  before       TEXT,                        -- NULL for a creation
  after        TEXT                         -- NULL for a deletion
);
-- GET /jobs/{id}/history: one target's entries, newest first.
CREATE INDEX audit_log_by_target ON audit_log (target_kind, target_id, id);
-- Retention (oldest first) and GET /audit's since/until.
CREATE INDEX audit_log_by_time ON audit_log (at);
