-- API keys. The token is shown once, when the key is created; only its
-- SHA-256 is stored. Revoked keys stay (with revoked_at), so a name is never
-- reused for another key.
CREATE TABLE api_keys (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name       text   NOT NULL UNIQUE,
  role       text   NOT NULL CHECK (role IN ('read', 'write', 'admin')),
  namespace  text   NOT NULL DEFAULT 'default',
  token_hash text   NOT NULL UNIQUE,  -- 64 hex digits
  rate_limit bigint,                  -- requests per window; NULL: the service's default; 0: none
  created_at bigint NOT NULL,
  revoked_at bigint
);
