#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>

#include "core/task.hpp"

namespace jobsched::core {

// Every kind of task, known in one place. Each alternative of `Task` declares
// its `kKind` (its API name and how the operator turns it on), and the table
// below is built from the variant itself: a new kind added to `Task` without
// a kKind does not compile, and its row cannot be out of order. The API's
// type filter, the refusal of disabled kinds and the executor's runner table
// are all read from here.

// The number of task kinds: one per alternative of Task, indexed like Task::index().
inline constexpr std::size_t kTaskKindCount = std::variant_size_v<Task>;

namespace internal {
template <std::size_t... I>
constexpr std::array<TaskKind, sizeof...(I)> TaskKindTable(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Task>::kKind...};
}
}  // namespace internal

// Row i describes alternative i of Task.
inline constexpr std::array<TaskKind, kTaskKindCount> kTaskKinds =
    internal::TaskKindTable(std::make_index_sequence<kTaskKindCount>{});

// The kind of `task`.
inline const TaskKind& KindOf(const Task& task) { return kTaskKinds[task.index()]; }

namespace internal {
template <typename T, std::size_t I = 0>
constexpr std::size_t TaskKindIndexOf() {
  static_assert(I < kTaskKindCount, "not an alternative of core::Task");
  if constexpr (std::is_same_v<T, std::variant_alternative_t<I, Task>>) {
    return I;
  } else {
    return TaskKindIndexOf<T, I + 1>();
  }
}
}  // namespace internal

// The index (as Task::index()) of the task struct T: kTaskKindIndex<HttpTask>.
template <typename T>
inline constexpr std::size_t kTaskKindIndex = internal::TaskKindIndexOf<T>();

// The index (as Task::index()) of the kind the API calls `name`, or nullopt.
std::optional<std::size_t> FindTaskKind(std::string_view name);

// "noop, http, email, compute or shell": every kind's name, for messages.
std::string TaskKindNames();

// Why a kind with this enablement is off, and how the operator turns it on,
// e.g. "email tasks need an SMTP server; start jobsched with --smtp-url".
std::string WhyTaskKindDisabled(const TaskKind& kind);

// The setting that turns a kind on ("--smtp-url", "--enable-shell-tasks"),
// or "" for kinds that are always on.
std::string_view EnablingSetting(TaskEnablement enablement);

// Which kinds a service accepts (the API) or runs (an executor), decided once
// from the operator's settings.
class EnabledTaskKinds {
 public:
  // Kinds enabled kAlways, plus kWhenSmtpConfigured when `smtp_configured`
  // and kWhenShellEnabled when `shell_enabled`.
  static EnabledTaskKinds From(bool smtp_configured, bool shell_enabled);
  // Every kind (tests, tools).
  static EnabledTaskKinds All();

  bool Has(std::size_t kind_index) const { return kind_index < kTaskKindCount && enabled_[kind_index]; }
  bool Has(const Task& task) const { return Has(task.index()); }

 private:
  std::array<bool, kTaskKindCount> enabled_{};
};

}  // namespace jobsched::core
