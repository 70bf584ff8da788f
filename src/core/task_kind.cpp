#include "core/task_kind.hpp"

namespace jobsched::core {

std::optional<std::size_t> FindTaskKind(std::string_view name) {
  for (std::size_t i = 0; i < kTaskKinds.size(); ++i) {
    if (kTaskKinds[i].name == name) return i;
  }
  return std::nullopt;
}

std::string TaskKindNames() {
  std::string names;
  for (std::size_t i = 0; i < kTaskKinds.size(); ++i) {
    if (i > 0) names += i + 1 == kTaskKinds.size() ? " or " : ", ";
    names += kTaskKinds[i].name;
  }
  return names;
}

std::string WhyTaskKindDisabled(const TaskKind& kind) {
  const std::string name(kind.name);
  switch (kind.enablement) {
    case TaskEnablement::kAlways: return name + " tasks are always enabled";
    case TaskEnablement::kWhenSmtpConfigured:
      return name + " tasks need an SMTP server; start jobsched with --smtp-url";
    case TaskEnablement::kWhenShellEnabled:
      return name +
             " tasks are disabled on this service; the operator enables them with --enable-shell-tasks "
             "(JOBSCHED_ENABLE_SHELL_TASKS, enable_shell_tasks)";
  }
  return name + " tasks are disabled";
}

std::string_view EnablingSetting(TaskEnablement enablement) {
  switch (enablement) {
    case TaskEnablement::kAlways: return "";
    case TaskEnablement::kWhenSmtpConfigured: return "--smtp-url";
    case TaskEnablement::kWhenShellEnabled: return "--enable-shell-tasks";
  }
  return "";
}

EnabledTaskKinds EnabledTaskKinds::From(bool smtp_configured, bool shell_enabled) {
  EnabledTaskKinds kinds;
  for (std::size_t i = 0; i < kTaskKinds.size(); ++i) {
    switch (kTaskKinds[i].enablement) {
      case TaskEnablement::kAlways: kinds.enabled_[i] = true; break;
      case TaskEnablement::kWhenSmtpConfigured: kinds.enabled_[i] = smtp_configured; break;
      case TaskEnablement::kWhenShellEnabled: kinds.enabled_[i] = shell_enabled; break;
    }
  }
  return kinds;
}

EnabledTaskKinds EnabledTaskKinds::All() { return From(true, true); }

}  // namespace jobsched::core
