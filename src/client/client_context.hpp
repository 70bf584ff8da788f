#pragma once

#include <cstdio>
#include <string>

#include <boost/json/value.hpp>

#include "client/api_client.hpp"
#include "client/output.hpp"
#include "core/error.hpp"

namespace jobsched::client {

// What every client command works with: the API, how to print, and where.
struct ClientContext {
  ApiClient api;
  OutputFormat format = OutputFormat::kTable;
  TableStyle style;
  bool dry_run = false;  // --dry-run: changes are sent with ?dry_run=true
  std::FILE* out = stdout;
  std::FILE* err = stderr;

  // Prints `value` as the output format says, to `out`.
  void Print(const boost::json::value& value, Resource resource) const;
  // "jobsched: <message>" on `err`; answers the exit code for `error`.
  int Fail(const core::Error& error) const;
  // A line for a person on `err` (what was done), never on `out`, which is
  // for results.
  void Say(const std::string& line) const;
};

// The target of a change: `path`, with ?dry_run=true under --dry-run.
std::string ChangeTarget(const ClientContext& context, const std::string& path);

}  // namespace jobsched::client
