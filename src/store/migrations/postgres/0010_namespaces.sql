-- Namespaces: every job belongs to one; a non-admin API key sees only its
-- own. Jobs stored before this migration are in "default".
ALTER TABLE jobs ADD COLUMN namespace text NOT NULL DEFAULT 'default';
-- A namespace's page of GET /jobs reads only its own jobs, in id order.
CREATE INDEX jobs_by_namespace ON jobs (namespace, id);
