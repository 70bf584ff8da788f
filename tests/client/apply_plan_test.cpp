#include "client/apply_plan.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

TEST(RenderPlan, ListsCreatesChangesAndDeletesThenTheUnchangedAndASummary) {
  PlannedChange create;
  create.kind = PlannedChange::Kind::kCreate;
  create.identity = "team-a/nightly";
  create.source = "jobs.yaml:3";
  create.preview = json::parse(R"({"interval":null,"every":"1h","next_run":"2026-11-27T11:00:00Z"})").as_object();
  PlannedChange update;
  update.kind = PlannedChange::Kind::kUpdate;
  update.identity = "team-a/ping";
  update.source = "jobs.yaml:9";
  update.id = 4;
  update.current = json::parse(R"({"every":"15m"})").as_object();
  update.preview = json::parse(R"({"every":"5m"})").as_object();
  update.changed = {"every"};
  PlannedChange remove;
  remove.kind = PlannedChange::Kind::kDelete;
  remove.identity = "team-a/old";
  remove.id = 9;
  PlannedChange same;

  const std::vector<PlannedChange> plan{create, update, remove, same};

  EXPECT_EQ(RenderPlan(plan, false),
            "+ create team-a/nightly  (jobs.yaml:3)\n"
            "    schedule: every 1h\n"
            "    next_run: 2026-11-27T11:00:00Z\n"
            "~ change team-a/ping  (job 4, jobs.yaml:9)\n"
            "    every: 15m -> 5m\n"
            "- delete team-a/old  (job 9)\n"
            "= 1 unchanged\n"
            "plan: 1 to create, 1 to change, 1 to delete, 1 unchanged\n");
  EXPECT_TRUE(PlanChangesSomething(plan));
  EXPECT_FALSE(PlanChangesSomething({same}));
  EXPECT_NE(RenderPlan({remove}, true).find("\x1b[31m-\x1b[0m delete"), std::string::npos);
}

}  // namespace
}  // namespace jobsched::client
