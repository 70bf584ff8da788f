-- 0029 has run_stats_count plan its statements at every call, so that no
-- plan made while runs was nearly empty is kept as it grows. That planning
-- was most of its cost: with pgbench against a database left by
-- bench/cluster.sh's steady mode, a call counting 4 ended runs took 1.0 ms
-- planned each time and 0.5 ms with kept plans, against 0.26 ms for an empty
-- transaction.
-- Every statement of run_stats_count reads a few rows per ended run, each
-- through an index: runs and jobs by id, a job's later runs by (job_id, id),
-- run_stats and failing_jobs by key. A plan made on an empty table gets that
-- wrong in two ways, both of which read a table whole once it has grown: a
-- sequential scan, and a hash (or merge) join that reads all of one side
-- (the DELETE's check for a later ended run read every ended run into a
-- hash). With those three ruled out for the function, the one plan left is
-- the index nested loop, whatever the tables' sizes when it is made: the
-- plan made at a connection's first call is kept, and when PostgreSQL makes
-- it again (after an ANALYZE of a table it reads, or a schema change), it
-- makes the same one.
-- The settings hold for what runs inside run_stats_count only (its callers'
-- join of a statement's old and new rows, on a bulk update, wants a hash
-- join). A later CREATE OR REPLACE of run_stats_count drops them and must set
-- them again.
ALTER FUNCTION run_stats_count(bigint[]) SET plan_cache_mode = force_generic_plan;
ALTER FUNCTION run_stats_count(bigint[]) SET enable_seqscan = off;
ALTER FUNCTION run_stats_count(bigint[]) SET enable_hashjoin = off;
ALTER FUNCTION run_stats_count(bigint[]) SET enable_mergejoin = off;
