#include "client/job_editor.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "client/exit_code.hpp"
#include "client/job_commands.hpp"
#include "client/job_diff.hpp"
#include "client/job_ref.hpp"
#include "client/yaml.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

bool IsRemovable(std::string_view member) {
  return member == "task" || member == "timezone" || member == "start_at" || member == "end_at" || member == "retry" ||
         member == "labels";
}

bool IsEditable(std::string_view member) {
  const auto& members = JobFileMembers();
  return member != "namespace" && std::find(members.begin(), members.end(), member) != members.end();
}

std::string ShellQuote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

core::Result<std::string> WriteTempFile(const std::string& text, std::int64_t id) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp != nullptr && tmp[0] != '\0' ? tmp : "/tmp") + "/jobsched-edit-job" +
                     std::to_string(id) + "-XXXXXX.yaml";
  const int fd = mkstemps(path.data(), 5);
  if (fd < 0) return core::Error::Unavailable("cannot create a file to edit in: " + path);
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  if (!written) return core::Error::Unavailable("cannot write " + path);
  return path;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Opens the editor and reads back what it saved.
core::Result<std::string> RunEditor(const std::string& editor, const std::string& path) {
  const int status = std::system((editor + " " + ShellQuote(path)).c_str());
  if (status != 0) {
    return core::Error::InvalidArgument(
        "editor", "the editor (" + editor + ") failed (status " + std::to_string(status) + "); nothing was changed");
  }
  return ReadFile(path);
}

// The patch the edited text asks for; kInvalidArgument (with the line, when
// the YAML parser knows it) otherwise.
core::Result<json::object> PatchFromText(const json::object& job, const std::string& text) {
  auto documents = ParseYaml(text);
  if (!documents) return documents.error();
  if (documents->size() != 1) return core::Error::InvalidArgument("", "the file must hold one YAML document");
  return EditPatch(EditableMembers(job), documents->front().value);
}

}  // namespace

json::object EditableMembers(const json::object& job) {
  json::object members;
  for (const auto& [key, value] : job) {
    if (IsEditable(key) && !value.is_null()) members[key] = value;
  }
  return members;
}

std::string EditorText(const json::object& job) {
  std::string text = "# Editing job " + MemberText(job, "id") + " (" + JobIdentity(job) + "), version " +
                     MemberText(job, "version") + ".\n";
  text +=
      "# Save and quit to apply the change; quit without saving, or save it unchanged, to change nothing.\n"
      "# Secrets show as REDACTED: leave them so to keep them. A member removed (task, timezone, start_at,\n"
      "# end_at, retry, labels) goes back to none or its default. Read-only: id, namespace, last_run, next_run,\n"
      "# created_at, updated_at, version. Lines starting with # are ignored.\n";
  return text + ToYaml(EditableMembers(job));
}

core::Result<json::object> EditPatch(const json::object& before, const json::value& after) {
  if (!after.is_object()) return core::Error::InvalidArgument("", "the job must be a mapping of its members");
  const json::object& edited = after.get_object();
  json::object patch;
  bool schedule_changed = false;
  for (const auto& [key, value] : edited) {
    if (!IsEditable(key)) {
      return core::Error::InvalidArgument(std::string(key), std::string(key) + ": not a member that can be edited");
    }
    const json::value* old = before.if_contains(key);
    if (old == nullptr || *old != value) {
      patch[key] = value;
      schedule_changed = schedule_changed || IsScheduleMember(key);
    }
  }
  for (const auto& [key, value] : before) {
    if (edited.contains(key)) continue;
    if (!IsRemovable(key) && !IsScheduleMember(key)) {
      return core::Error::InvalidArgument(std::string(key), std::string(key) + ": cannot be removed, only changed");
    }
    if (IsRemovable(key)) patch[key] = nullptr;
    schedule_changed = schedule_changed || IsScheduleMember(key);
  }
  if (schedule_changed) {
    // Setting one schedule field replaces the schedule: send all of it.
    for (const auto& [key, value] : edited) {
      if (IsScheduleMember(key)) patch[key] = value;
    }
  }
  return patch;
}

int EditJob(const ClientContext& context, const std::string& ref, const std::string& editor) {
  auto id = ResolveJob(context.api, ref, ClientNamespace(context));
  if (!id) return context.Fail(id.error());
  auto job = context.api.Get("/jobs/" + std::to_string(*id));
  if (!job) return context.Fail(job.error());
  const json::object& current = job->body.get_object();
  const std::string original = EditorText(current);
  auto path = WriteTempFile(original, *id);
  if (!path) return context.Fail(path.error());
  auto edited = RunEditor(editor, *path);
  if (!edited || *edited == original) {
    std::remove(path->c_str());
    if (!edited) return context.Fail(edited.error());
    context.Say("edit of job " + std::to_string(*id) + " cancelled: nothing was changed");
    return kExitOk;
  }
  auto patch = PatchFromText(current, *edited);
  if (!patch) {
    context.Say("jobsched: " + *path + ": " + patch.error().message + "\nyour edit is kept in " + *path);
    return kExitUsage;
  }
  if (patch->empty()) {
    std::remove(path->c_str());
    context.Say("job " + std::to_string(*id) + " unchanged");
    return kExitOk;
  }
  const std::string target = ChangeTarget(context, "/jobs/" + std::to_string(*id));
  auto changed = context.api.Change("PATCH", target, json::value(*patch), job->etag);
  if (!changed) {
    if (changed.error().code == core::ErrorCode::kPreconditionFailed) {
      context.Say("jobsched: job " + std::to_string(*id) +
                  " was changed by someone else since the editor opened it (it was at version " +
                  MemberText(current, "version") + "); nothing was overwritten. Your edit is kept in " + *path +
                  ": run `jobsched job edit " + std::to_string(*id) + "` again and make it there.");
      return kExitConflict;
    }
    const int code = context.Fail(changed.error());
    context.Say("your edit is kept in " + *path);
    return code;
  }
  std::remove(path->c_str());
  return ReportChange(context, *changed, Resource::kJob,
                      "edited job " + std::to_string(*id) + " (" + JobIdentity(current) + ")");
}

}  // namespace jobsched::client
