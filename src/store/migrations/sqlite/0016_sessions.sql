-- Console sessions (docs/decisions/0008): a browser exchanges an API key for
-- a session named by a random id in an HttpOnly cookie. Only the SHA-256 of
-- the id and of the session's CSRF token are stored, so that reading this
-- table gives nobody a session. The key's role and namespace are not copied:
-- each request reads them from the key, so revoking the key ends its
-- sessions. Any node of a cluster accepts a session any node created.
CREATE TABLE sessions (
  id_hash      TEXT    PRIMARY KEY,  -- 64 hex digits
  key_name     TEXT    NOT NULL,
  csrf_hash    TEXT    NOT NULL,     -- 64 hex digits
  created_at   INTEGER NOT NULL,     -- ms since the epoch
  last_seen_at INTEGER NOT NULL,     -- moved on by use, at most about once a minute
  expires_at   INTEGER NOT NULL      -- the idle expiry: last_seen_at plus --session-idle-timeout
) WITHOUT ROWID;
-- What pruning expired sessions walks.
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
