-- API keys may expire: after expires_at (ms since the epoch) a key
-- authenticates nothing, as if revoked. NULL: it never expires.
ALTER TABLE api_keys ADD COLUMN expires_at INTEGER;
