-- The nodes (processes) that run tasks, with their heartbeat: each lease
-- renewal moves a node's alive_until on. A node silent past it is dead, and
-- any live node re-queues the runs it held (their leases ran out together).
CREATE TABLE nodes (
  id          text   PRIMARY KEY,
  alive_until bigint NOT NULL
);
