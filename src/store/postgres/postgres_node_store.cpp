#include "store/postgres/postgres_node_store.hpp"

#include <utility>

#include "store/postgres/pg_rows.hpp"

namespace jobsched::store::postgres {
namespace {

core::Result<NodeStatus> NodeFromRow(const PgResult& result, int row, int first) {
  NodeStatus node;
  node.id = std::string(result.Text(row, first + 0));
  node.alive_until = core::FromUnixMs(result.Int(row, first + 1));
  node.running_runs = result.Int(row, first + 2);
  return node;
}

}  // namespace

PostgresNodeStore::PostgresNodeStore(std::shared_ptr<PgDatabase> database) : database_(std::move(database)) {}

core::Result<std::vector<NodeStatus>> PostgresNodeStore::ListNodes() {
  return database_->readers().Read<std::vector<NodeStatus>>(
      [](PgConnection& db) -> core::Result<std::vector<NodeStatus>> {
        // Running runs are few (at most the executors' slots), and the partial
        // index runs_running holds exactly them.
        auto selected = db.Query(
            "SELECT n.id, n.alive_until, "
            "(SELECT count(*) FROM runs r WHERE r.state = 'running' AND r.lease_owner = n.id) "
            "FROM nodes n ORDER BY n.id COLLATE \"C\"");
        if (!selected) return selected.error();
        return CollectRows<NodeStatus>(*selected, NodeFromRow);
      });
}

}  // namespace jobsched::store::postgres
