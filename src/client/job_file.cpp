#include "client/job_file.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>

#include "client/job_diff.hpp"
#include "client/yaml.hpp"
#include "core/job_namespace.hpp"
#include "core/spelling.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

constexpr std::string_view kServiceMembers[] = {"id",      "last_run",      "next_run",  "created_at",  "updated_at",
                                                "version", "paused_reason", "paused_at", "paused_until"};

// What one entry is being read with.
struct EntryContext {
  const std::string& file;
  const YamlDocument& document;
  const VariableLookup& lookup;
  JobSet& set;
};

// The service's name for a field below a job: "task" + "to" + 1 -> "task.to[1]".
std::string FieldPath(const std::string& parent, const std::string& key, bool index) {
  if (index) return parent + "[" + key + "]";
  return parent.empty() ? key : parent + "." + key;
}

// Replaces ${VAR} in every string below `value`, recording where each member
// was written; records a problem for each variable that is not set.
void Substitute(json::value& value, const std::string& pointer, const std::string& field, EntryContext& context,
                DesiredJob& job) {
  if (auto line = context.document.lines.find(pointer); line != context.document.lines.end() && !field.empty()) {
    job.lines[field] = line->second;
  }
  if (value.is_string()) {
    auto replaced = SubstituteVariables(std::string(value.get_string()), context.lookup);
    if (!replaced) {
      context.set.problems.push_back({context.file, job.LineOf(field), job.name, field, replaced.error().message});
      return;
    }
    value = json::string(*replaced);
  } else if (value.is_object()) {
    for (auto& [key, member] : value.get_object()) {
      Substitute(member, JsonPointerChild(pointer, key), FieldPath(field, key, false), context, job);
    }
  } else if (value.is_array()) {
    json::array& array = value.get_array();
    for (std::size_t i = 0; i < array.size(); ++i) {
      Substitute(array[i], JsonPointerChild(pointer, std::to_string(i)), FieldPath(field, std::to_string(i), true),
                 context, job);
    }
  }
}

std::string UnknownMemberMessage(const std::string& key) {
  std::string message = "unknown field '" + key + "'";
  const std::string_view closest =
      core::ClosestSpelling(key, JobFileMembers(), [](const std::string& known) { return std::string_view(known); });
  if (!closest.empty()) message += "; did you mean '" + std::string(closest) + "'?";
  return message;
}

// Checks an entry's members and its name; false (after recording why) when
// it cannot be a job.
bool CheckMembers(json::object& entry, DesiredJob& job, JobSet& set) {
  const std::size_t before = set.problems.size();
  for (const auto& [key, value] : entry) {
    const std::string member(key);
    const auto& known = JobFileMembers();
    const bool service_member =
        std::find(std::begin(kServiceMembers), std::end(kServiceMembers), member) != std::end(kServiceMembers);
    if (!service_member && std::find(known.begin(), known.end(), member) == known.end()) {
      set.problems.push_back({job.file, job.LineOf(member), job.name, member, UnknownMemberMessage(member)});
    }
  }
  for (std::string_view member : kServiceMembers) entry.erase(member);
  const json::value* name = entry.if_contains("name");
  if (name == nullptr || !name->is_string() || name->get_string().empty()) {
    set.problems.push_back({job.file, job.LineOf("name"), job.name, "name", "name: every job needs one (a string)"});
  }
  return set.problems.size() == before;
}

// One job entry at `pointer` of the document.
void ReadEntry(const json::value& value, const std::string& pointer, const std::string& file_namespace,
               EntryContext& context) {
  DesiredJob job;
  job.file = context.file;
  auto line = context.document.lines.find(pointer);
  job.line = line != context.document.lines.end() ? line->second : 0;
  if (!value.is_object()) {
    context.set.problems.push_back({job.file, job.line, "", "", "a job must be a mapping of its fields"});
    return;
  }
  json::value entry = value;
  if (const json::value* name = entry.get_object().if_contains("name"); name && name->is_string()) {
    job.name = std::string(name->get_string());
  }
  const std::size_t before = context.set.problems.size();
  Substitute(entry, pointer, "", context, job);
  if (!CheckMembers(entry.get_object(), job, context.set) || context.set.problems.size() != before) return;
  job.name = std::string(entry.get_object().at("name").get_string());
  const json::value* own = entry.get_object().if_contains("namespace");
  job.namespace_name = own != nullptr && own->is_string() ? std::string(own->get_string()) : file_namespace;
  if (auto valid = core::ValidateNamespace(job.namespace_name); !valid && (own != nullptr || !file_namespace.empty())) {
    context.set.problems.push_back({job.file, job.LineOf("namespace"), job.name, "namespace", valid.error().message});
    return;
  }
  job.body = std::move(entry.get_object());
  // No namespace anywhere (only `job create -f` reads so): the service's
  // choice, the API key's own.
  if (!job.namespace_name.empty()) job.body["namespace"] = job.namespace_name;
  context.set.jobs.push_back(std::move(job));
}

void ReadDocument(const YamlDocument& document, const std::string& file, const VariableLookup& lookup,
                  const std::string& default_namespace, JobSet& set) {
  EntryContext context{file, document, lookup, set};
  const json::value& root = document.value;
  if (root.is_null()) return;  // an empty document
  if (root.is_array()) {
    for (std::size_t i = 0; i < root.get_array().size(); ++i) {
      ReadEntry(root.get_array()[i], "/" + std::to_string(i), default_namespace, context);
    }
    return;
  }
  if (root.is_object() && !root.get_object().contains("jobs")) {
    ReadEntry(root, "", default_namespace, context);
    return;
  }
  if (!root.is_object()) {
    set.problems.push_back({file, 1, "", "", "expected a list of jobs, `jobs:` or one job"});
    return;
  }
  std::string file_namespace = default_namespace;
  for (const auto& [key, value] : root.get_object()) {
    if (key == "namespace" && value.is_string()) {
      file_namespace = std::string(value.get_string());
    } else if (key != "jobs") {
      auto line = document.lines.find(JsonPointerChild("", key));
      set.problems.push_back({file, line != document.lines.end() ? line->second : 1, "", std::string(key),
                              "unknown field '" + std::string(key) + "' (a file has `jobs:` and `namespace:`)"});
    }
  }
  const json::value& jobs = root.get_object().at("jobs");
  if (!jobs.is_array()) {
    set.problems.push_back({file, document.lines.count("/jobs") ? document.lines.at("/jobs") : 1, "", "jobs",
                            "jobs: must be a list of jobs"});
    return;
  }
  for (std::size_t i = 0; i < jobs.get_array().size(); ++i) {
    ReadEntry(jobs.get_array()[i], "/jobs/" + std::to_string(i), file_namespace, context);
  }
}

bool IsJobFile(const std::filesystem::path& path) {
  const std::string extension = path.extension().string();
  return extension == ".yaml" || extension == ".yml" || extension == ".json";
}

// The files a path names: itself, or a folder's job files in name order.
std::vector<std::string> FilesOf(const std::string& path, JobSet& set) {
  std::error_code error;
  if (path == "-" || !std::filesystem::is_directory(path, error)) return {path};
  std::vector<std::string> files;
  for (auto it = std::filesystem::recursive_directory_iterator(path, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && IsJobFile(it->path())) files.push_back(it->path().string());
  }
  if (error) set.problems.push_back({path, 0, "", "", "cannot read the folder: " + error.message()});
  std::sort(files.begin(), files.end());
  return files;
}

void CheckDuplicates(JobSet& set) {
  std::map<std::pair<std::string, std::string>, const DesiredJob*> seen;
  for (const DesiredJob& job : set.jobs) {
    auto [it, fresh] = seen.emplace(std::make_pair(job.namespace_name, job.name), &job);
    if (!fresh) {
      set.problems.push_back(
          {job.file, job.line, job.name, "name",
           "job '" + job.namespace_name + "/" + job.name + "' is listed twice (also at " + it->second->Source() + ")"});
    }
  }
}

}  // namespace

std::string DesiredJob::Source() const { return file + ":" + std::to_string(line); }

int DesiredJob::LineOf(std::string_view field) const {
  std::string path(field);
  while (!path.empty()) {
    if (auto found = lines.find(path); found != lines.end()) return found->second;
    const std::size_t cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return line;
}

std::string FileProblem::Text() const {
  std::string text = file;
  if (line > 0) text += ":" + std::to_string(line);
  text += ": ";
  if (!job.empty()) text += "job '" + job + "': ";
  // Most messages name their field already ("task.url: ...", "unknown field 'x'").
  if (!field.empty() && message.find(field) == std::string::npos) text += field + ": ";
  return text + message;
}

std::vector<std::string> JobSet::Namespaces() const {
  std::set<std::string> namespaces;
  for (const DesiredJob& job : jobs) namespaces.insert(job.namespace_name);
  return {namespaces.begin(), namespaces.end()};
}

void ReadJobFile(std::string_view text, const std::string& file, const VariableLookup& lookup,
                 const std::string& default_namespace, JobSet& set) {
  auto documents = ParseYaml(text);
  if (!documents) {
    // "line 3, column 1: ..." -> file:3: ...
    std::string message = documents.error().message;
    int line = 0;
    if (std::sscanf(message.c_str(), "line %d,", &line) == 1) message.erase(0, message.find(": ") + 2);
    set.problems.push_back({file, line, "", "", "not valid YAML: " + message});
    return;
  }
  for (const YamlDocument& document : *documents) ReadDocument(document, file, lookup, default_namespace, set);
}

JobSet LoadJobFiles(const std::vector<std::string>& paths, const VariableLookup& lookup,
                    const std::string& default_namespace) {
  JobSet set;
  for (const std::string& path : paths) {
    for (const std::string& file : FilesOf(path, set)) {
      std::stringstream text;
      if (file == "-") {
        text << std::cin.rdbuf();
      } else {
        std::ifstream in(file, std::ios::binary);
        if (!in) {
          set.problems.push_back({file, 0, "", "", "cannot read the file"});
          continue;
        }
        text << in.rdbuf();
      }
      ReadJobFile(text.str(), file == "-" ? "(standard input)" : file, lookup, default_namespace, set);
    }
  }
  CheckDuplicates(set);
  return set;
}

}  // namespace jobsched::client
