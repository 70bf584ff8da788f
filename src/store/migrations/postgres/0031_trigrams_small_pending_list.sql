-- The trigram index of job names (0017) is a GIN index: it takes new entries
-- into a pending list, and the statement that finds the list full moves all
-- of it into the index. Every firing updates its jobs' rows, and no such
-- update is HOT (next_run is indexed), so each adds the job's name trigrams
-- to the list again. At 1,000 fires a second the default 4 MB list filled
-- every 17 s, and the firing that emptied it stalled: in bench/cluster.sh's
-- steady mode second 17 was late by up to 43-76 ms in every run (37 runs),
-- where most other seconds stayed under 25 ms. A 64 kB list, the smallest
-- PostgreSQL allows, is emptied in small steps as it goes: the steady mode's
-- worst lateness fell to 19-28 ms, and a burst of 20,000 jobs is as fast as
-- before. Without a pending list (fastupdate = off) each firing writes every
-- trigram into the index itself, and the burst took more of PostgreSQL's
-- time (4.0 and 4.3 s against 3.0 and 3.7 s). Searches read the whole
-- pending list, so they gain too.
DO $$
BEGIN
  IF to_regclass('jobs_name_trigrams') IS NOT NULL THEN
    ALTER INDEX jobs_name_trigrams SET (gin_pending_list_limit = 64);
  END IF;
END
$$;
