-- PostgreSQL only: its roll-ups now count each statement's starts and ends
-- with one trigger per statement (migrations/postgres/0026). SQLite has no
-- statement triggers and no such contention (one writer, and a row updated
-- again in a transaction is changed in place), so its per-row triggers of
-- 0021 stay. This version exists so both databases have the same versions.
SELECT 1;
