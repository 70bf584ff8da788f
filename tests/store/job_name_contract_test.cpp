// Job names in the JobStore contract, on every store (SQLite, PostgreSQL):
// unique within a namespace (docs/decisions/0009-job-identity.md), and the
// jobs that shared a name before they had to keep it until renamed.
#include "store/job_store.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "core/job_patch.hpp"
#include "core/job_validation.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

core::Job MakeJob(const std::string& name, const std::string& job_namespace = "default") {
  core::JobRequest request;
  request.name = name;
  request.interval = "weekly";
  request.namespace_name = job_namespace;
  auto job = core::ValidateNewJob(request, At("2026-11-27T09:47:00Z"));
  EXPECT_TRUE(job.ok());
  return *job;
}

std::size_t AllJobs(JobStore& store) {
  JobListQuery query;
  query.limit = 100;
  auto jobs = store.ListJobs(query);
  EXPECT_TRUE(jobs.ok());
  return jobs.ok() ? jobs->size() : 0;
}

template <typename BackendType>
class JobNameContract : public StoreContractTest<BackendType> {
 protected:
  core::Result<core::Job> Create(JobStore& store, const std::string& name, const std::string& ns = "default") {
    return CreateJobAndWait(store, MakeJob(name, ns));
  }

  core::Result<core::Job> Patch(JobStore& store, core::JobId id, core::JobPatch patch) {
    return Wait<core::Job>([&](auto done) {
      store.UpdateJob(
          id,
          [patch](const core::Job& current) { return core::ApplyJobPatch(current, patch, At("2026-11-27T10:00:00Z")); },
          std::move(done));
    });
  }

  core::Result<core::Job> Rename(JobStore& store, core::JobId id, const std::string& name) {
    core::JobPatch patch;
    patch.set.name = name;
    return Patch(store, id, patch);
  }

  static void ExpectNameTaken(const core::Result<core::Job>& result) {
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, core::ErrorCode::kConflict);
    EXPECT_EQ(result.error().field, "name");
    EXPECT_NE(result.error().message.find("already exists"), std::string::npos) << result.error().message;
  }
};

TYPED_TEST_SUITE(JobNameContract, Backends);

TYPED_TEST(JobNameContract, ANameIsTakenOnceInEachNamespace) {
  JobStore& store = *this->instance_.jobs;

  auto first = this->Create(store, "report");
  auto again = this->Create(store, "report");
  auto elsewhere = this->Create(store, "report", "team-a");
  auto other_case = this->Create(store, "Report");

  ASSERT_TRUE(first.ok()) << first.error().message;
  this->ExpectNameTaken(again);
  EXPECT_TRUE(elsewhere.ok());
  EXPECT_TRUE(other_case.ok());  // names compare exactly, as the API shows them
  EXPECT_EQ(AllJobs(store), 3u);
}

TYPED_TEST(JobNameContract, ARenameToATakenNameChangesNothing) {
  JobStore& store = *this->instance_.jobs;
  const core::Job a = *this->Create(store, "a");
  const core::Job b = *this->Create(store, "b");

  this->ExpectNameTaken(this->Rename(store, b.id, "a"));

  const auto unchanged = store.GetJob(b.id);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->name, "b");
  EXPECT_EQ(unchanged->version, b.version);
  EXPECT_TRUE(this->Rename(store, a.id, "a").ok());  // keeping one's own name is no clash
  EXPECT_TRUE(this->Rename(store, b.id, "c").ok());
  EXPECT_TRUE(this->Rename(store, a.id, "b").ok());  // freed by the rename before
}

TYPED_TEST(JobNameContract, ConcurrentCreatesOfOneNameStoreOneJob) {
  JobStore& store = *this->instance_.jobs;
  std::atomic<int> created{0};
  std::atomic<int> taken{0};
  std::vector<std::thread> threads;

  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto job = this->Create(store, "once");
      if (job.ok()) ++created;
      if (!job.ok() && job.error().field == "name") ++taken;
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(taken.load(), 7);
}

// A database from before names were unique may hold duplicates: migrating
// it keeps every job and its name (a job without a task does what its name
// says), and leaves the later ones of each name out of the unique index
// until they get a new name.
TYPED_TEST(JobNameContract, JobsThatSharedANameBeforeTheMigrationKeepItUntilRenamed) {
  // The database as a build of schema 14 left it: what 0015 and later add is
  // undone (0020's labels once the jobs are in: the stores here write them).
  ASSERT_TRUE(this->backend_
                  ->ExecuteForTest(
                      "DROP INDEX jobs_name_in_namespace; ALTER TABLE jobs DROP COLUMN duplicate_name; "
                      "DROP TABLE sessions; DROP TABLE audit_log; DELETE FROM schema_migrations WHERE version >= 15")
                  .ok());
  JobStore& old_build = *this->instance_.jobs;
  const core::Job first = *this->Create(old_build, "Send Email Notification");
  const core::Job second = *this->Create(old_build, "Send Email Notification");
  const core::Job third = *this->Create(old_build, "Send Email Notification");
  ASSERT_TRUE(this->Create(old_build, "Send Email Notification", "team-a").ok());
  const bool sqlite = std::is_same_v<TypeParam, SqliteBackend>;
  ASSERT_TRUE(
      this->backend_
          ->ExecuteForTest(
              sqlite
                  ? "DROP TRIGGER job_labels_insert; DROP TRIGGER job_labels_update; DROP TRIGGER job_labels_delete; "
                    "DROP TABLE job_labels; ALTER TABLE jobs DROP COLUMN labels"
                  : "DROP TABLE job_labels; ALTER TABLE jobs DROP COLUMN labels CASCADE")
          .ok());
  // 0018's pause columns go once the jobs are in (the stores here write them);
  // SQLite cannot add a column only if it is missing, so 0018 needs them gone.
  ASSERT_TRUE(this->backend_
                  ->ExecuteForTest("DROP INDEX jobs_paused_until; ALTER TABLE jobs DROP COLUMN paused_reason; "
                                   "ALTER TABLE jobs DROP COLUMN paused_at; ALTER TABLE jobs DROP COLUMN paused_until")
                  .ok());
  // And 0023's alerts, for the same reason.
  ASSERT_TRUE(this->backend_
                  ->ExecuteForTest("DROP INDEX jobs_with_alerts; DROP TABLE alerts; DROP TABLE job_alert_state; "
                                   "DROP TABLE namespace_alert_rules; "
                                   "ALTER TABLE jobs DROP COLUMN alerts")
                  .ok());
  // And SQLite's 0028 row_version (PostgreSQL's 0028 adds nothing).
  if (sqlite) {
    ASSERT_TRUE(this->backend_
                    ->ExecuteForTest("DROP TRIGGER jobs_row_version_update; DROP TRIGGER jobs_row_version_insert; "
                                     "ALTER TABLE jobs DROP COLUMN row_version")
                    .ok());
  }

  StoreInstance migrated = this->OpenInstance();  // applies 0015 (and later) again
  ASSERT_TRUE(migrated.jobs);
  JobStore& store = *migrated.jobs;

  EXPECT_EQ(AllJobs(store), 4u);
  EXPECT_EQ(store.GetJob(third.id)->name, "Send Email Notification");
  this->ExpectNameTaken(this->Create(store, "Send Email Notification"));
  core::JobPatch timeout;
  timeout.set.timeout = "5m";
  EXPECT_TRUE(this->Patch(store, second.id, timeout).ok());  // other edits keep the exemption
  EXPECT_TRUE(this->Rename(store, second.id, "renamed").ok());
  this->ExpectNameTaken(this->Rename(store, second.id, "Send Email Notification"));  // no way back
  this->ExpectNameTaken(this->Rename(store, third.id, "renamed"));
  EXPECT_TRUE(this->Rename(store, first.id, "first").ok());
}

}  // namespace
}  // namespace jobsched::store::testing
