#include "core/task_kind.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace jobsched::core {
namespace {

TEST(TaskKinds, TheTableHasOneRowPerAlternativeOfTaskInItsOrder) {
  const Task tasks[] = {NoopTask{}, HttpTask{}, EmailTask{}, ComputeTask{}, ShellTask{}};

  ASSERT_EQ(std::size(tasks), kTaskKindCount);
  for (const Task& task : tasks) {
    EXPECT_EQ(KindOf(task).name, TaskTypeName(task));
    EXPECT_EQ(FindTaskKind(TaskTypeName(task)), task.index());
  }
}

TEST(TaskKinds, NamesAreUniqueAndFoundByName) {
  std::set<std::string> names;
  for (const TaskKind& kind : kTaskKinds) names.emplace(kind.name);

  EXPECT_EQ(names.size(), kTaskKindCount);
  EXPECT_EQ(FindTaskKind("http"), kTaskKindIndex<HttpTask>);
  EXPECT_EQ(FindTaskKind("shell"), kTaskKindIndex<ShellTask>);
  EXPECT_FALSE(FindTaskKind("HTTP").has_value());
  EXPECT_FALSE(FindTaskKind("").has_value());
}

TEST(TaskKinds, NamesListsEveryKindForMessages) { EXPECT_EQ(TaskKindNames(), "noop, http, email, compute or shell"); }

TEST(EnabledTaskKinds, KindsThatNeedNoSettingAreAlwaysOn) {
  const EnabledTaskKinds kinds = EnabledTaskKinds::From(false, false);

  EXPECT_TRUE(kinds.Has(Task{NoopTask{}}));
  EXPECT_TRUE(kinds.Has(Task{HttpTask{}}));
  EXPECT_TRUE(kinds.Has(Task{ComputeTask{}}));
  EXPECT_FALSE(kinds.Has(Task{EmailTask{}}));
  EXPECT_FALSE(kinds.Has(Task{ShellTask{}}));
  EXPECT_FALSE(kinds.Has(kTaskKindCount));
}

TEST(EnabledTaskKinds, EmailNeedsSmtpAndShellItsOwnSwitch) {
  EXPECT_TRUE(EnabledTaskKinds::From(true, false).Has(Task{EmailTask{}}));
  EXPECT_FALSE(EnabledTaskKinds::From(true, false).Has(Task{ShellTask{}}));
  EXPECT_TRUE(EnabledTaskKinds::From(false, true).Has(Task{ShellTask{}}));
  EXPECT_FALSE(EnabledTaskKinds::From(false, true).Has(Task{EmailTask{}}));
  for (std::size_t kind = 0; kind < kTaskKindCount; ++kind) EXPECT_TRUE(EnabledTaskKinds::All().Has(kind));
}

TEST(TaskKinds, DisabledKindsSayWhichSettingTurnsThemOn) {
  EXPECT_EQ(EnablingSetting(EmailTask::kKind.enablement), "--smtp-url");
  EXPECT_EQ(EnablingSetting(ShellTask::kKind.enablement), "--enable-shell-tasks");
  EXPECT_EQ(EnablingSetting(HttpTask::kKind.enablement), "");
  EXPECT_NE(WhyTaskKindDisabled(EmailTask::kKind).find("--smtp-url"), std::string::npos);
  EXPECT_NE(WhyTaskKindDisabled(ShellTask::kKind).find("--enable-shell-tasks"), std::string::npos);
}

}  // namespace
}  // namespace jobsched::core
