// The audit log's contract on every store (SQLite, PostgreSQL): each change
// made with an Audit records one entry in its own transaction, with who,
// where, the request id and the job (or key) before and after; a change that
// fails or changes nothing records none; entries page newest first, filter,
// and are pruned by age. docs/decisions/0015-audit-log.md.
#include "store/audit_log.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codec/task_codec.hpp"
#include "core/backfill.hpp"
#include "core/job_pause.hpp"
#include "core/job_validation.hpp"
#include "store/api_key_store.hpp"
#include "store/job_store.hpp"
#include "store_backends.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::store::testing {
namespace {

using jobsched::testing::At;

const core::TimePoint kCreated = At("2026-12-07T09:00:00Z");

core::Job MakeJob(const std::string& name, const std::string& job_namespace = "default") {
  core::JobRequest request;
  request.name = name;
  request.every = "10m";
  request.namespace_name = job_namespace;
  auto job = core::ValidateNewJob(request, kCreated);
  EXPECT_TRUE(job.ok()) << job.error().message;
  return *job;
}

// A describer as the API's: the job's identity, state and task, the task
// through codec::EncodeTaskForApi (the redaction the API applies).
std::string DescribeJob(const core::Job& job) {
  return "{\"id\":" + std::to_string(job.id) + ",\"name\":\"" + job.name +
         "\",\"is_active\":" + (job.is_active ? "true" : "false") + ",\"version\":" + std::to_string(job.version) +
         ",\"task\":" + (job.task ? codec::EncodeTaskForApi(*job.task) : "null") + "}";
}

std::string DescribeKey(const core::ApiKey& key) {
  return "{\"name\":\"" + key.name + "\",\"revoked\":" + (key.revoked_at ? "true" : "false") + "}";
}

AuditContext Context(const std::string& actor = "ci", const std::string& request_id = "req-1",
                     core::TimePoint at = At("2026-12-07T09:30:00Z")) {
  AuditContext audit;
  audit.at = at;
  audit.actor = actor;
  audit.actor_key_id = 7;
  audit.source = "203.0.113.7";
  audit.request_id = request_id;
  audit.describe_job = DescribeJob;
  audit.describe_key = DescribeKey;
  return audit;
}

AuditContext Acting(std::string_view action) {
  AuditContext audit = Context();
  audit.action = std::string(action);
  return audit;
}

core::ApiKey Key(const std::string& name, char hash_digit) {
  core::ApiKey key;
  key.name = name;
  key.role = core::Role::kWrite;
  key.namespace_name = "team-a";
  key.token_hash = std::string(64, hash_digit);
  key.created_at = kCreated;
  return key;
}

template <typename BackendType>
class AuditLogContract : public StoreContractTest<BackendType> {
 protected:
  JobStore& Jobs() { return *this->instance_.jobs; }
  AuditLog& Log() { return *this->instance_.audit; }

  core::Job Create(const std::string& name, const std::string& job_namespace = "default") {
    auto created =
        Wait<core::Job>([&](auto done) { Jobs().CreateJob(MakeJob(name, job_namespace), std::move(done), Context()); });
    EXPECT_TRUE(created.ok()) << created.error().message;
    return *created;
  }

  core::Result<core::Job> Update(core::JobId id, const JobStore::JobChange& change, const Audit& audit) {
    return Wait<core::Job>([&](auto done) { Jobs().UpdateJob(id, change, std::move(done), audit); });
  }

  // The entries of job `id`, newest first, as another instance reads them:
  // what the database committed.
  std::vector<core::AuditEntry> History(core::JobId id) {
    StoreInstance other = this->OpenInstance();
    AuditQuery query;
    query.target_kind = "job";
    query.target_id = id;
    auto entries = other.audit->ListAudit(query);
    EXPECT_TRUE(entries.ok()) << entries.error().message;
    return entries.ok() ? *entries : std::vector<core::AuditEntry>{};
  }

  std::vector<core::AuditEntry> List(const AuditQuery& query) {
    auto entries = Log().ListAudit(query);
    EXPECT_TRUE(entries.ok()) << entries.error().message;
    return entries.ok() ? *entries : std::vector<core::AuditEntry>{};
  }
};

TYPED_TEST_SUITE(AuditLogContract, Backends);

TYPED_TEST(AuditLogContract, RecordsACreationWithWhoWhereAndTheJobAfter) {
  const core::Job job = this->Create("report");

  auto history = this->History(job.id);

  ASSERT_EQ(history.size(), 1u);
  const core::AuditEntry& entry = history.front();
  EXPECT_GT(entry.id, 0);
  EXPECT_EQ(entry.at, At("2026-12-07T09:30:00Z"));
  EXPECT_EQ(entry.actor, "ci");
  EXPECT_EQ(entry.actor_key_id, 7);
  EXPECT_EQ(entry.source, "203.0.113.7");
  EXPECT_EQ(entry.request_id, "req-1");
  EXPECT_EQ(entry.action, "job.created");
  EXPECT_EQ(entry.target_kind, "job");
  EXPECT_EQ(entry.target_id, job.id);
  EXPECT_EQ(entry.namespace_name, "default");
  EXPECT_EQ(entry.before, std::nullopt);
  EXPECT_EQ(entry.after, DescribeJob(job));
}

TYPED_TEST(AuditLogContract, RecordsAnUpdateWithTheJobBeforeAndAfter) {
  const core::Job job = this->Create("report");

  auto renamed = this->Update(
      job.id,
      [](const core::Job& current) -> core::Result<core::Job> {
        core::Job changed = current;
        changed.name = "daily-report";
        changed.version = current.version + 1;
        return changed;
      },
      Acting(core::audit_action::kJobPaused));
  ASSERT_TRUE(renamed.ok()) << renamed.error().message;

  auto history = this->History(job.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action, "job.paused");  // the action the context names
  EXPECT_EQ(history[0].before, DescribeJob(job));
  EXPECT_EQ(history[0].after, DescribeJob(*renamed));
  EXPECT_NE(history[0].after->find("daily-report"), std::string::npos);
  EXPECT_EQ(history[1].action, "job.created");
  EXPECT_GT(history[0].id, history[1].id);
}

TYPED_TEST(AuditLogContract, AChangeThatIsRefusedOrFailsRecordsNothing) {
  const core::Job job = this->Create("report");
  this->Create("taken");

  auto refused = this->Update(
      job.id, [](const core::Job&) -> core::Result<core::Job> { return core::Error::Conflict("stale If-Match"); },
      Context());
  auto clash = this->Update(
      job.id,
      [](const core::Job& current) -> core::Result<core::Job> {
        core::Job changed = current;
        changed.name = "taken";  // the unique index refuses it inside the write
        return changed;
      },
      Context());
  auto duplicate =
      Wait<core::Job>([&](auto done) { this->Jobs().CreateJob(MakeJob("taken"), std::move(done), Context()); });
  auto kept = Wait<void>([&](auto done) {
    this->Jobs().DeleteJob(
        job.id, [](const core::Job&) -> core::Result<void> { return core::Error::Conflict("stale If-Match"); },
        std::move(done), Context());
  });
  auto missing =
      Wait<core::Run>([&](auto done) { this->Jobs().TriggerJob(987654, kCreated, std::move(done), Context()); });

  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(clash.ok());
  EXPECT_FALSE(duplicate.ok());
  EXPECT_FALSE(kept.ok());
  EXPECT_FALSE(missing.ok());
  auto all = this->List(AuditQuery{});
  ASSERT_EQ(all.size(), 2u);  // the two creations only
  EXPECT_EQ(all[0].action, "job.created");
  EXPECT_EQ(all[1].action, "job.created");
}

TYPED_TEST(AuditLogContract, AChangeWhoseEntryCannotBeWrittenIsNotMadeEither) {
  const core::Job job = this->Create("report");
  // The entry's insert now fails inside the change's transaction.
  ASSERT_TRUE(this->backend_->ExecuteForTest("ALTER TABLE audit_log RENAME TO audit_log_gone").ok());

  auto created =
      Wait<core::Job>([&](auto done) { this->Jobs().CreateJob(MakeJob("second"), std::move(done), Context()); });
  auto renamed = this->Update(
      job.id,
      [](const core::Job& current) -> core::Result<core::Job> {
        core::Job changed = current;
        changed.name = "renamed";
        return changed;
      },
      Context());

  EXPECT_FALSE(created.ok());
  EXPECT_FALSE(renamed.ok());
  StoreInstance other = this->OpenInstance();
  auto jobs = other.jobs->ListJobs(JobListQuery{});
  ASSERT_TRUE(jobs.ok());
  ASSERT_EQ(jobs->size(), 1u);
  EXPECT_EQ(jobs->front().name, "report");
}

TYPED_TEST(AuditLogContract, AChangeThatChangesNothingOrIsNotAuditedRecordsNothing) {
  const core::Job job = this->Create("report");

  auto same = this->Update(
      job.id, [](const core::Job& current) -> core::Result<core::Job> { return current; }, Context());
  auto unaudited = this->Update(
      job.id,
      [](const core::Job& current) -> core::Result<core::Job> {
        core::Job changed = current;
        changed.name = "renamed by the scheduler";
        return changed;
      },
      std::nullopt);

  ASSERT_TRUE(same.ok());
  ASSERT_TRUE(unaudited.ok());
  EXPECT_EQ(this->History(job.id).size(), 1u);
}

TYPED_TEST(AuditLogContract, KeepsSecretsRedactedInBeforeAndAfter) {
  core::Job job = MakeJob("hook");
  core::HttpTask task;
  task.url = "https://hooks.example.com/x";
  task.headers = {{"Authorization", "Bearer top-secret-token"}};
  task.signing_secret = "signing-secret-value";
  job.task = task;
  auto created = Wait<core::Job>([&](auto done) { this->Jobs().CreateJob(job, std::move(done), Context()); });
  ASSERT_TRUE(created.ok()) << created.error().message;

  auto history = this->History(created->id);

  ASSERT_EQ(history.size(), 1u);
  ASSERT_TRUE(history[0].after);
  EXPECT_EQ(history[0].after->find("top-secret-token"), std::string::npos);
  EXPECT_EQ(history[0].after->find("signing-secret-value"), std::string::npos);
  EXPECT_NE(history[0].after->find("REDACTED"), std::string::npos);
}

TYPED_TEST(AuditLogContract, ADeletedJobsHistoryStaysWithTheJobBeforeItsDeletion) {
  const core::Job job = this->Create("report");

  auto deleted = Wait<void>([&](auto done) {
    this->Jobs().DeleteJob(
        job.id, [](const core::Job&) { return core::Ok(); }, std::move(done), Context());
  });
  ASSERT_TRUE(deleted.ok());

  auto history = this->History(job.id);
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].action, "job.deleted");
  EXPECT_EQ(history[0].before, DescribeJob(job));
  EXPECT_EQ(history[0].after, std::nullopt);
}

TYPED_TEST(AuditLogContract, RecordsARunNowWithItsRunAndABackfillWithItsRangeAndCounts) {
  const core::Job job = this->Create("report");

  auto run = Wait<core::Run>(
      [&](auto done) { this->Jobs().TriggerJob(job.id, At("2026-12-07T09:31:00Z"), std::move(done), Context()); });
  ASSERT_TRUE(run.ok()) << run.error().message;
  AuditContext backfill = Context();
  backfill.detail = "\"from\":\"2026-12-07T09:00:00Z\",\"to\":\"2026-12-07T09:30:00Z\"";
  auto backfilled = Wait<BackfillResult>([&](auto done) {
    this->Jobs().BackfillJob(
        job.id, At("2026-12-07T09:40:00Z"),
        [](const core::Job& current) {
          return core::BackfillOccurrences(current, At("2026-12-07T09:00:00Z"), At("2026-12-07T09:30:00Z"),
                                           At("2026-12-07T09:40:00Z"));
        },
        std::move(done), backfill);
  });
  ASSERT_TRUE(backfilled.ok()) << backfilled.error().message;

  auto history = this->History(job.id);
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[1].action, "job.run_now");
  EXPECT_EQ(history[1].after, "{\"run_id\":" + std::to_string(run->id) + "}");
  EXPECT_EQ(history[0].action, "job.backfilled");
  EXPECT_EQ(history[0].before, std::nullopt);
  EXPECT_EQ(history[0].after, "{\"from\":\"2026-12-07T09:00:00Z\",\"to\":\"2026-12-07T09:30:00Z\",\"created\":" +
                                  std::to_string(backfilled->created) + ",\"existing\":0}");
  EXPECT_GT(backfilled->created, 0u);
}

TYPED_TEST(AuditLogContract, APauseReachingItsEndIsRecordedAsTheSchedulersResume) {
  const core::Job job = this->Create("report");
  auto paused = this->Update(
      job.id,
      [](const core::Job& current) -> core::Result<core::Job> {
        auto changed =
            core::PauseJob(current, {.reason = "deploy", .until = "2026-12-07T10:00:00Z"}, At("2026-12-07T09:40:00Z"));
        if (!changed) return changed.error();
        return changed->value_or(current);
      },
      Acting(core::audit_action::kJobPaused));
  ASSERT_TRUE(paused.ok()) << paused.error().message;
  AuditContext scheduler = Context("scheduler", "");
  scheduler.actor_key_id.reset();
  scheduler.source.clear();

  auto resumed = ResumePausedJobsAndWait(this->Jobs(), At("2026-12-07T10:00:05Z"), 10, scheduler);
  auto again = ResumePausedJobsAndWait(this->Jobs(), At("2026-12-07T10:00:06Z"), 10, scheduler);

  ASSERT_TRUE(resumed.ok()) << resumed.error().message;
  ASSERT_EQ(resumed->size(), 1u);
  ASSERT_TRUE(again.ok());
  auto history = this->History(job.id);
  ASSERT_EQ(history.size(), 3u);  // created, paused, resumed once
  EXPECT_EQ(history[0].action, "job.resumed");
  EXPECT_EQ(history[0].actor, "scheduler");
  EXPECT_EQ(history[0].actor_key_id, std::nullopt);
  EXPECT_EQ(history[0].at, At("2026-12-07T10:00:05Z"));  // the write's now, not the context's
  EXPECT_EQ(history[0].before, DescribeJob(*paused));
  EXPECT_EQ(history[0].after, DescribeJob(resumed->front()));
  EXPECT_EQ(history[1].action, "job.paused");
}

TYPED_TEST(AuditLogContract, ABulkChangeRecordsOneEntryPerJobItChanged) {
  const core::Job first = this->Create("first");
  const core::Job second = this->Create("second");
  const core::Job paused = this->Create("paused");
  ASSERT_TRUE(ChangeJobsAndWait(this->Jobs(), {paused.id}, JobAction::kPause, kCreated).ok());

  auto outcome = Wait<BulkOutcome>([&](auto done) {
    this->Jobs().ChangeJobs({first.id, second.id, paused.id, 987654}, JobAction::kPause, At("2026-12-07T09:35:00Z"),
                            std::nullopt, std::move(done), Context("bulk-key"));
  });

  ASSERT_TRUE(outcome.ok()) << outcome.error().message;
  EXPECT_EQ(outcome->changed, (std::vector<std::int64_t>{first.id, second.id}));
  AuditQuery query;
  query.actor = "bulk-key";
  auto entries = this->List(query);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].target_id, second.id);
  EXPECT_EQ(entries[1].target_id, first.id);
  for (const core::AuditEntry& entry : entries) {
    EXPECT_EQ(entry.action, "job.paused");
    ASSERT_TRUE(entry.before && entry.after);
    EXPECT_NE(entry.before->find("\"is_active\":true"), std::string::npos);
    EXPECT_NE(entry.after->find("\"is_active\":false"), std::string::npos);
  }
}

TYPED_TEST(AuditLogContract, RecordsAKeysCreationAndRevocationOnce) {
  ApiKeyStore& keys = *this->instance_.keys;

  auto created =
      Wait<core::ApiKey>([&](auto done) { keys.CreateApiKey(Key("deploy", 'a'), std::move(done), Context()); });
  auto clash =
      Wait<core::ApiKey>([&](auto done) { keys.CreateApiKey(Key("deploy", 'b'), std::move(done), Context()); });
  auto revoked = Wait<core::ApiKey>(
      [&](auto done) { keys.RevokeApiKey("deploy", At("2026-12-07T10:00:00Z"), std::move(done), Context()); });
  auto again = Wait<core::ApiKey>(
      [&](auto done) { keys.RevokeApiKey("deploy", At("2026-12-07T11:00:00Z"), std::move(done), Context()); });

  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(clash.ok());
  ASSERT_TRUE(revoked.ok());
  ASSERT_TRUE(again.ok());
  auto entries = this->List(AuditQuery{});
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0].action, "key.revoked");
  EXPECT_EQ(entries[0].target_kind, "key");
  EXPECT_EQ(entries[0].target_id, created->id);
  EXPECT_EQ(entries[0].namespace_name, "team-a");
  EXPECT_EQ(entries[0].before, "{\"name\":\"deploy\",\"revoked\":false}");
  EXPECT_EQ(entries[0].after, "{\"name\":\"deploy\",\"revoked\":true}");
  EXPECT_EQ(entries[1].action, "key.created");
  EXPECT_EQ(entries[1].before, std::nullopt);
}

TYPED_TEST(AuditLogContract, PagesNewestFirstAndFilters) {
  const core::Job a = this->Create("a", "team-a");
  const core::Job b = this->Create("b", "team-b");
  for (const char* name : {"a2", "a3"}) {
    ASSERT_TRUE(this->Update(
                        a.id,
                        [name](const core::Job& current) -> core::Result<core::Job> {
                          core::Job changed = current;
                          changed.name = name;
                          return changed;
                        },
                        Context("other", "req-2", At("2026-12-07T10:00:00Z")))
                    .ok());
  }

  AuditQuery page;
  page.limit = 2;
  auto first = this->List(page);
  ASSERT_EQ(first.size(), 2u);
  page.before_id = first.back().id;
  auto second = this->List(page);
  ASSERT_EQ(second.size(), 2u);
  page.before_id = second.back().id;
  EXPECT_TRUE(this->List(page).empty());
  EXPECT_GT(first[0].id, first[1].id);
  EXPECT_GT(first[1].id, second[0].id);
  EXPECT_EQ(second[1].target_id, a.id);  // the oldest: a's creation

  AuditQuery by_action;
  by_action.action = "job.updated";
  EXPECT_EQ(this->List(by_action).size(), 2u);
  AuditQuery by_actor;
  by_actor.actor = "ci";
  EXPECT_EQ(this->List(by_actor).size(), 2u);
  AuditQuery by_namespace;
  by_namespace.job_namespace = "team-b";
  auto team_b = this->List(by_namespace);
  ASSERT_EQ(team_b.size(), 1u);
  EXPECT_EQ(team_b[0].target_id, b.id);
  AuditQuery by_time;
  by_time.since = At("2026-12-07T09:30:00Z");
  by_time.until = At("2026-12-07T10:00:00Z");
  EXPECT_EQ(this->List(by_time).size(), 2u);  // the creations, at 09:30
  AuditQuery combined;
  combined.target_kind = "job";
  combined.target_id = a.id;
  combined.actor = "other";
  combined.since = At("2026-12-07T10:00:00Z");
  EXPECT_EQ(this->List(combined).size(), 2u);
}

TYPED_TEST(AuditLogContract, PruningDeletesOnlyTheEntriesBeforeTheCutOff) {
  for (const char* at : {"2026-09-01T00:00:00Z", "2026-09-02T00:00:00Z", "2026-12-01T00:00:00Z"}) {
    auto created = Wait<core::Job>([&](auto done) {
      this->Jobs().CreateJob(MakeJob(std::string("job-") + at), std::move(done), Context("ci", "r", At(at)));
    });
    ASSERT_TRUE(created.ok());
  }

  auto pruned = Wait<std::size_t>(
      [&](auto done) { this->Log().PruneAuditBefore(At("2026-09-07T00:00:00Z"), 1, std::move(done)); });
  auto rest = Wait<std::size_t>(
      [&](auto done) { this->Log().PruneAuditBefore(At("2026-09-07T00:00:00Z"), 100, std::move(done)); });

  ASSERT_TRUE(pruned.ok());
  ASSERT_TRUE(rest.ok());
  EXPECT_EQ(*pruned, 1u);  // the limit holds
  EXPECT_EQ(*rest, 1u);
  auto left = this->List(AuditQuery{});
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].at, At("2026-12-01T00:00:00Z"));
}

}  // namespace
}  // namespace jobsched::store::testing
