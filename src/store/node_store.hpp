#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::store {

// A node (a process with the executor role) as the cluster sees it: its
// heartbeat and the runs it holds.
struct NodeStatus {
  std::string id;               // the worker pool's lease owner: host-pid-random
  core::TimePoint alive_until;  // its last heartbeat's lease end; past it, the node is dead
  std::int64_t running_runs = 0;
};

// What GET /nodes reads: the nodes table, with the running runs of each.
// Safe to call from any thread.
class NodeStore {
 public:
  virtual ~NodeStore() = default;

  // Every node the database knows (dead ones too, until they are forgotten
  // a day after their last heartbeat), by id, each with the count of runs
  // in state running whose lease it holds.
  virtual core::Result<std::vector<NodeStatus>> ListNodes() = 0;
};

}  // namespace jobsched::store
