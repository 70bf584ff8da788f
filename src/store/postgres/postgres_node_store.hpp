#pragma once

#include <memory>
#include <vector>

#include "store/node_store.hpp"
#include "store/postgres/pg_database.hpp"

namespace jobsched::store::postgres {

// The cluster's nodes as PostgreSQL knows them (the nodes table, which every
// node's worker pool heartbeats into), with the runs each holds. Reads
// through the database's pool.
class PostgresNodeStore final : public NodeStore {
 public:
  explicit PostgresNodeStore(std::shared_ptr<PgDatabase> database);

  core::Result<std::vector<NodeStatus>> ListNodes() override;

 private:
  std::shared_ptr<PgDatabase> database_;
};

}  // namespace jobsched::store::postgres
