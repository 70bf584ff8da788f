#include "client/output.hpp"

#include "client/json_text.hpp"
#include "client/output_tables.hpp"
#include "client/yaml.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

std::string NameOf(const json::value& item, Resource resource) {
  if (!item.is_object()) return ToJsonText(item, false);
  const json::object& object = item.get_object();
  switch (resource) {
    case Resource::kJob: return JobIdentity(object);
    case Resource::kRun: return MemberText(object, "id");
    case Resource::kDryRun: {
      const json::value* job = object.if_contains("job");
      return job != nullptr && job->is_object() ? JobIdentity(job->get_object()) : "";
    }
    case Resource::kNextRuns: return MemberText(object, "utc");
    case Resource::kAttempts: return MemberText(object, "attempt");
    case Resource::kHistory: return MemberText(object, "id");
  }
  return "";
}

// The items a list format prints: a list's elements; a JobNextRuns's
// occurrences; anything else, itself.
json::array Items(const json::value& value, Resource resource) {
  if (value.is_array()) return value.get_array();
  if (resource == Resource::kNextRuns && value.is_object()) {
    if (const json::value* runs = value.get_object().if_contains("next_runs"); runs && runs->is_array()) {
      return runs->get_array();
    }
  }
  json::array one;
  one.push_back(value);
  return one;
}

}  // namespace

core::Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "table") return OutputFormat::kTable;
  if (text == "json") return OutputFormat::kJson;
  if (text == "jsonl") return OutputFormat::kJsonl;
  if (text == "yaml") return OutputFormat::kYaml;
  if (text == "name") return OutputFormat::kName;
  return core::Error::InvalidArgument(
      "-o", "-o: must be table, json, jsonl, yaml or name, got '" + std::string(text.substr(0, 32)) + "'");
}

std::string Render(const json::value& value, Resource resource, OutputFormat format, const TableStyle& style) {
  switch (format) {
    case OutputFormat::kJson: return ToJsonText(value, true) + "\n";
    case OutputFormat::kYaml: return ToYaml(value);
    case OutputFormat::kJsonl: {
      std::string out;
      for (const json::value& item : Items(value, resource)) out += ToJsonText(item, false) + "\n";
      return out;
    }
    case OutputFormat::kName: {
      std::string out;
      for (const json::value& item : Items(value, resource)) out += NameOf(item, resource) + "\n";
      return out;
    }
    case OutputFormat::kTable: return RenderTable(value, resource, style);
  }
  return "";
}

std::string JobIdentity(const json::object& job) {
  return MemberText(job, "namespace") + "/" + MemberText(job, "name");
}

std::string MemberText(const json::object& object, std::string_view member) {
  const json::value* value = object.if_contains(member);
  if (value == nullptr || value->is_null()) return "-";
  if (value->is_string()) return std::string(value->get_string());
  return ToJsonText(*value, false);
}

std::string DescribeSchedule(const json::object& job) {
  auto has = [&job](std::string_view member) {
    const json::value* value = job.if_contains(member);
    return value != nullptr && !value->is_null();
  };
  if (has("interval")) return MemberText(job, "interval");
  if (has("every")) return "every " + MemberText(job, "every");
  if (has("cron")) return "cron " + MemberText(job, "cron") + " (" + MemberText(job, "timezone") + ")";
  if (has("at")) return "at " + MemberText(job, "at");
  return "-";
}

}  // namespace jobsched::client
