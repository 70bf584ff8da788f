-- The console's job list: substring search on names and sorting by name.
-- Names searched anywhere in them (ILIKE '%text%') use a trigram index of
-- pg_trgm. It is a trusted extension (PostgreSQL 13 and later): a role that
-- may create objects in the database may create it. Where it may not, or
-- the extension is not installed on the server, the search still works,
-- reading every name (the notice says so). Installed here, it goes into the
-- first schema of the search path; where several jobsched schemas share one
-- database, install it once beforehand in a shared schema (public), so that
-- dropping one of them does not take the others' indexes with it.
DO $$
DECLARE
  trigram_schema text;
BEGIN
  BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
  EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): searching job names reads every name', SQLERRM;
  END;
  -- Wherever it was installed (another schema of the same database, maybe).
  SELECT extnamespace::regnamespace::text INTO trigram_schema FROM pg_extension WHERE extname = 'pg_trgm';
  IF trigram_schema IS NOT NULL THEN
    EXECUTE format('CREATE INDEX IF NOT EXISTS jobs_name_trigrams ON jobs USING gin (name %s.gin_trgm_ops)',
                   trigram_schema);
  END IF;
END
$$;
-- Pages of jobs sorted by name read this index in order (keyset on name, id).
CREATE INDEX IF NOT EXISTS jobs_by_name ON jobs (name, id);
