#pragma once

// The client subcommands of `jobsched`: `job ...`, `run ...`, `apply`,
// `diff`, `completion`, and their CLI11 flags. They speak to a running
// service over HTTP (src/client); compiled into the jobsched binary only,
// like CLI11 itself. docs/cli.md documents them.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "client/apply.hpp"
#include "client/job_commands.hpp"
#include "client/run_commands.hpp"

namespace jobsched::app {

// What the client subcommands' flags are parsed into. Every subcommand binds
// the same members; only the one that was parsed counts.
struct ClientLine {
  // Connection (every client subcommand); "" when not given.
  std::string server, token, profile, cacert, namespace_name;
  std::string output;  // -o; "" for the default (table)
  bool dry_run = false;
  bool print_curl = false;
  // Arguments and per-command flags.
  std::string ref;  // a job (id, name or namespace/name) or a run id
  client::JobListOptions job_list;
  std::string active;  // job list --active true|false
  client::RunListOptions run_list;
  std::string run_job, run_state;
  client::JobFlags job_flags;
  std::string file;  // job create -f
  std::string editor;
  bool wait = false, follow = false;
  std::string timeout = "1h";
  std::int64_t count = 10;
  std::string tz;
  std::string from, to;                   // job backfill --from --to
  std::string pause_reason, pause_until;  // job pause --reason, --until
  struct {
    std::int64_t limit = 100;
    bool all = false;
  } history;  // job history --limit, --all
  client::ApplyOptions apply;
  std::string shell;  // completion bash|zsh|fish
};

class ClientCommands {
 public:
  // Adds the client subcommands to `cli`. Keeps pointers into itself: not
  // copied or moved.
  explicit ClientCommands(CLI::App& cli);
  ClientCommands(const ClientCommands&) = delete;
  ClientCommands& operator=(const ClientCommands&) = delete;

  // The exit status of the client command that was parsed; nullopt when the
  // command line was not a client command.
  std::optional<int> Run(const CLI::App& cli) const;

 private:
  using Action = std::function<int(const client::ClientContext&)>;
  // A client subcommand `name` of `parent`, running `action`; `change`:
  // it takes --dry-run and --print-curl.
  CLI::App* Add(CLI::App& parent, const std::string& name, const std::string& help, bool change, Action action);
  void AddJobCommands(CLI::App& cli);
  void AddJobCreate(CLI::App& job);
  // job next, job history: what a job will do and what was done to it.
  void AddJobTimeline(CLI::App& job);
  void AddRunCommands(CLI::App& cli);
  void AddApplyCommands(CLI::App& cli);

  ClientLine line_;
  std::vector<std::pair<CLI::App*, Action>> actions_;
  CLI::App* completion_ = nullptr;
};

}  // namespace jobsched::app
