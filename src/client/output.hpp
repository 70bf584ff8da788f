#pragma once

// How the client commands print what the service answered: `-o table`
// (aligned columns for a person; the default), json (the service's JSON,
// indented), jsonl (one compact JSON object per line: each job or run of a
// list), yaml, or name (one identifier per line, for scripts: a job's
// "namespace/name", a run's id). JSON, JSONL and YAML carry exactly the
// members the service sent, so they match its OpenAPI schemas.

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "client/table.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::client {

enum class OutputFormat { kTable, kJson, kJsonl, kYaml, kName };

// "table", "json", "jsonl", "yaml" or "name"; fails naming "-o" otherwise.
core::Result<OutputFormat> ParseOutputFormat(std::string_view text);

// What the printed value is: a Job (or a list of them), a Run, a
// JobNextRuns, a DryRun, or run attempts.
enum class Resource { kJob, kRun, kNextRuns, kDryRun, kAttempts, kHistory };

// How a table looks: with ANSI colours (only on a terminal, never with
// NO_COLOR), and with times relative to `now`.
struct TableStyle {
  bool color = false;
  core::TimePoint now;
};

// `value` (one object, or an array of them) as `format` says, ending in a
// newline (nothing at all for an empty list in jsonl and name).
std::string Render(const boost::json::value& value, Resource resource, OutputFormat format, const TableStyle& style);

// A job's schedule for a person: "weekly", "every 15m", "cron 0 9 * * MON-FRI
// (Europe/Berlin)", "at 2026-12-24T18:00:00Z".
std::string DescribeSchedule(const boost::json::object& job);

// A job's identity, "namespace/name".
std::string JobIdentity(const boost::json::object& job);

// A member of `object` as text: strings as they are, null as "-", anything
// else as compact JSON.
std::string MemberText(const boost::json::object& object, std::string_view member);

}  // namespace jobsched::client
