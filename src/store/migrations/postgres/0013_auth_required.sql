-- Once authentication has been on for a database it stays on: revoking the
-- last key must not open a node that listens on loopback behind a proxy
-- (issue #14). The row exists from the first key's creation (CreateApiKey
-- inserts it in the same transaction) until `jobsched keys disable-auth`
-- deletes it, deliberately. A database that ever had a key has it now.
CREATE TABLE auth_required (
  id    integer PRIMARY KEY CHECK (id = 1),
  since bigint  NOT NULL  -- ms since the epoch
);
INSERT INTO auth_required (id, since) SELECT 1, min(created_at) FROM api_keys HAVING count(*) > 0;
