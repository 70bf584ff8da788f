-- PostgreSQL's 0030 lets its run roll-up function keep its plans; SQLite's
-- roll-ups are triggers of 0021 and need nothing.
SELECT 1;
