-- The audit log (issue #18, docs/decisions/0015-audit-log.md): one row per
-- change to a job or an API key, written in the transaction of the change.
-- before/after are the JSON the API shows (secrets REDACTED). No foreign key
-- to jobs: a deleted job's history stays readable until retention prunes it.
CREATE TABLE audit_log (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at           bigint NOT NULL,            -- ms since the epoch
  actor        text   NOT NULL,            -- the key's name, or 'local' without authentication
  actor_key_id bigint,                     -- api_keys.id of that key; NULL for 'local'
  source       text   NOT NULL DEFAULT '', -- the client's address (behind a trusted proxy: the forwarded one)
  request_id   text   NOT NULL DEFAULT '',
  action       text   NOT NULL,            -- job.created, job.updated, ..., key.revoked
  target_kind  text   NOT NULL,            -- 'job' or 'key'
  target_id    bigint NOT NULL,
  namespace    text   NOT NULL,
  before       text,                       -- NULL for a creation
  after        text                        -- NULL for a deletion
);
-- GET /jobs/{id}/history: one target's entries, newest first.
CREATE INDEX audit_log_by_target ON audit_log (target_kind, target_id, id);
-- Retention (oldest first) and GET /audit's since/until.
CREATE INDEX audit_log_by_time ON audit_log (at);
