// The NodeStore half of SqliteJobStore: the nodes table and who runs what.
#include "store/sqlite/sqlite_job_store.hpp"
#include "store/sqlite/sqlite_rows.hpp"

namespace jobsched::store::sqlite {
namespace {

core::Result<NodeStatus> NodeFromRow(const Statement& row, int first) {
  NodeStatus node;
  node.id = row.ColumnText(first + 0);
  node.alive_until = core::FromUnixMs(row.ColumnInt(first + 1));
  node.running_runs = row.ColumnInt(first + 2);
  return node;
}

}  // namespace

core::Result<std::vector<NodeStatus>> SqliteJobStore::ListNodes() {
  auto reader = readers_.Acquire();
  if (!reader) return reader.error();
  // Running runs are few (at most the executors' slots), and the partial
  // index runs_running holds exactly them.
  auto statement = (**reader).Cached(
      "SELECT n.id, n.alive_until, "
      "(SELECT count(*) FROM runs r WHERE r.state = 'running' AND r.lease_owner = n.id) "
      "FROM nodes n ORDER BY n.id");
  if (!statement) return statement.error();
  return CollectRows<NodeStatus>(**statement, NodeFromRow);
}

}  // namespace jobsched::store::sqlite
