-- API keys. The token is shown once, when the key is created; only its
-- SHA-256 is stored. Revoked keys stay (with revoked_at), so a name is never
-- reused for another key.
CREATE TABLE api_keys (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  name       TEXT    NOT NULL UNIQUE,
  role       TEXT    NOT NULL CHECK (role = 'read' OR role = 'write' OR role = 'admin'),
  namespace  TEXT    NOT NULL DEFAULT 'default',
  token_hash TEXT    NOT NULL UNIQUE,  -- 64 hex digits
  rate_limit INTEGER,                  -- requests per window; NULL: the service's default; 0: none
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
