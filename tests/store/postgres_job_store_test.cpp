// What only the PostgreSQL store has to show: several nodes on one database,
// connections that come and go, migrations under concurrency. The behaviour
// every store shares is in the contract suites.
#include "store/postgres/postgres_job_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "core/firing.hpp"
#include "core/job_validation.hpp"
#include "store/migrations.hpp"
#include "store/postgres/postgres_run_queue.hpp"
#include "store_backends.hpp"
#include "testing/pg_test_schema.hpp"
#include "testing/time_literals.hpp"
#include "testing/unique_name.hpp"

namespace jobsched::store::postgres {
namespace {

using jobsched::testing::At;
using store::Wait;
using namespace std::chrono_literals;

// One process of jobsched, as far as the store goes.
struct Node {
  std::shared_ptr<PgDatabase> database;
  std::unique_ptr<PostgresJobStore> jobs;
  std::unique_ptr<PostgresRunQueue> runs;
};

// What a PgListener heard, for a test to wait on.
class Heard {
 public:
  void Add(const PgNotification& notification) {
    {
      std::lock_guard lock(mutex_);
      notifications_.push_back(notification);
    }
    changed_.notify_all();
  }
  void Reconnected() {
    {
      std::lock_guard lock(mutex_);
      ++reconnects_;
    }
    changed_.notify_all();
  }
  // Waits up to five seconds for a notification on `channel` (with `payload`, if given).
  bool WaitFor(std::string_view channel, std::optional<std::string> payload = std::nullopt) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] {
      return std::any_of(notifications_.begin(), notifications_.end(), [&](const PgNotification& heard) {
        return heard.channel == channel && (!payload || heard.payload == *payload);
      });
    });
  }
  bool WaitForReconnect() {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return reconnects_ > 0; });
  }
  void Clear() {
    std::lock_guard lock(mutex_);
    notifications_.clear();
  }
  // Whether a notification on `channel` with `payload` was heard already.
  bool Has(std::string_view channel, const std::string& payload) {
    std::lock_guard lock(mutex_);
    return std::any_of(notifications_.begin(), notifications_.end(), [&](const PgNotification& heard) {
      return heard.channel == channel && heard.payload == payload;
    });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<PgNotification> notifications_;
  int reconnects_ = 0;
};

// Waits (up to five seconds) until `listener` is listening.
bool Listening(const PgListener& listener) {
  for (int i = 0; i < 500 && !listener.IsListening(); ++i) std::this_thread::sleep_for(10ms);
  return listener.IsListening();
}

class PostgresStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto schema = jobsched::testing::PgTestSchema::Create();
    ASSERT_TRUE(schema.ok()) << schema.error().message;
    schema_ = std::move(schema).value();
  }

  Node OpenNode(const std::string& url = "") {
    auto database = PgDatabase::Open({.url = url.empty() ? schema_->url() : url});
    EXPECT_TRUE(database.ok()) << database.error().message;
    if (!database) return {};
    return Node{*database, std::make_unique<PostgresJobStore>(*database),
                std::make_unique<PostgresRunQueue>(*database)};
  }

  // Overlap allow: each occurrence gets a queued run, whatever happened to the last.
  core::JobId CreateEveryMinuteJob(JobStore& store) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = "1m";
    request.overlap = "allow";
    auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
    EXPECT_TRUE(job.ok());
    auto created = CreateJobAndWait(store, *job);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? created->id : 0;
  }

  std::int64_t Count(const std::string& sql) {
    auto value = schema_->QueryValue(sql);
    EXPECT_TRUE(value.ok()) << value.error().message;
    return value.ok() ? std::stoll(*value) : -1;
  }

  // Ends every connection this test's stores hold, as a server restart would.
  void KillConnections() {
    ASSERT_TRUE(schema_
                    ->Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" +
                              schema_->name() + "' AND pid <> pg_backend_pid()")
                    .ok());
  }

  std::unique_ptr<jobsched::testing::PgTestSchema> schema_;
};

TEST_F(PostgresStoreTest, NodesFiringTheSameDueJobsAtOnceFireEachOccurrenceOnce) {
  constexpr int kJobs = 300;
  constexpr int kNodes = 3;
  std::vector<Node> nodes;
  for (int i = 0; i < kNodes; ++i) nodes.push_back(OpenNode());
  for (int i = 0; i < kJobs; ++i) CreateEveryMinuteJob(*nodes[0].jobs);
  std::atomic<std::size_t> jobs_fired{0};
  std::atomic<std::size_t> runs_created{0};
  std::atomic<int> failures{0};

  for (const char* now : {"2026-11-27T10:01:00Z", "2026-11-27T10:02:00Z", "2026-11-27T10:03:00Z"}) {
    std::vector<std::thread> firers;
    for (Node& node : nodes) {
      firers.emplace_back([&, now] {
        // Small batches, so the nodes' transactions interleave many times.
        for (;;) {
          auto fired = FireDueJobsAndWait(*node.jobs, At(now), 16, core::PlanFiring);
          if (!fired) {
            ++failures;
            return;
          }
          jobs_fired += fired->jobs_fired;
          runs_created += fired->runs_created;
          if (fired->jobs_fired == 0) return;
        }
      });
    }
    for (auto& thread : firers) thread.join();
  }

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(jobs_fired.load(), 3u * kJobs);  // each job fired by one node per occurrence
  EXPECT_EQ(runs_created.load(), 3u * kJobs);
  EXPECT_EQ(Count("SELECT count(*) FROM runs"), 3 * kJobs);
  EXPECT_EQ(Count("SELECT count(*) FROM (SELECT job_id, scheduled_for FROM runs GROUP BY 1, 2"
                  " HAVING count(*) > 1) AS doubled"),
            0);
  EXPECT_EQ(Count("SELECT count(*) FROM jobs WHERE next_run <> " +
                  std::to_string(core::ToUnixMs(At("2026-11-27T10:04:00Z")))),
            0);
}

TEST_F(PostgresStoreTest, ConcurrentClaimersOnTwoNodesNeverGetTheSameRun) {
  constexpr int kRuns = 200;
  Node a = OpenNode();
  Node b = OpenNode();
  for (int i = 0; i < kRuns; ++i) CreateEveryMinuteJob(*a.jobs);
  ASSERT_TRUE(FireDueJobsAndWait(*a.jobs, At("2026-11-27T10:01:00Z"), 1000, core::PlanFiring).ok());
  std::mutex mutex;
  std::vector<core::RunId> claimed_ids;
  std::atomic<int> failures{0};

  std::vector<std::thread> claimers;
  for (int i = 0; i < 4; ++i) {
    RunQueue& queue = i % 2 == 0 ? *a.runs : *b.runs;
    const std::string owner = "node-" + std::to_string(i);
    claimers.emplace_back([&, owner] {
      for (;;) {
        auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
          queue.ClaimRuns(owner, 7, At("2026-11-27T10:01:01Z"), At("2026-11-27T10:01:31Z"), std::move(done));
        });
        if (!claimed) {
          ++failures;
          return;
        }
        if (claimed->empty()) return;
        std::lock_guard lock(mutex);
        for (const ClaimedRun& run : *claimed) claimed_ids.push_back(run.run.id);
      }
    });
  }
  for (auto& thread : claimers) thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(claimed_ids.size(), static_cast<std::size_t>(kRuns));
  EXPECT_EQ(std::set<core::RunId>(claimed_ids.begin(), claimed_ids.end()).size(), static_cast<std::size_t>(kRuns));
  EXPECT_EQ(Count("SELECT count(*) FROM runs WHERE state = 'running'"), kRuns);
}

// Claims go on a writer connection of their own: a claim used to queue behind
// the firing (or any write) the main writer was busy with, and a burst's
// claims and firings took turns on one connection (bench/README.md).
TEST_F(PostgresStoreTest, AClaimDoesNotWaitForTheMainWritersTransaction) {
  Node a = OpenNode();
  CreateEveryMinuteJob(*a.jobs);
  ASSERT_TRUE(FireDueJobsAndWait(*a.jobs, At("2026-11-27T10:01:00Z"), 1000, core::PlanFiring).ok());
  std::promise<void> release;
  std::promise<void> holding;
  a.database->writer().Submit<bool>(
      [&release, &holding](PgConnection& db) -> core::Result<bool> {
        auto begun = db.Query("SELECT 1");  // inside the main writer's transaction
        holding.set_value();
        release.get_future().wait();
        if (!begun) return begun.error();
        return true;
      },
      [](const core::Result<bool>&) {});
  holding.get_future().wait();

  std::promise<core::Result<std::vector<ClaimedRun>>> claimed;
  a.runs->ClaimRuns("node-a", 10, At("2026-11-27T10:01:01Z"), At("2026-11-27T10:01:31Z"),
                    [&claimed](auto result) { claimed.set_value(std::move(result)); });
  auto answer = claimed.get_future();
  const bool answered_while_held = answer.wait_for(5s) == std::future_status::ready;
  release.set_value();  // whatever happened: the writer must be let go before the node closes

  EXPECT_TRUE(answered_while_held);
  auto runs = answer.get();
  ASSERT_TRUE(runs.ok()) << runs.error().message;
  EXPECT_EQ(runs->size(), 1u);
}

TEST_F(PostgresStoreTest, ANodeWhoseLeaseExpiredCannotFinishTheRunAnotherNodeTookOver) {
  Node a = OpenNode();
  Node b = OpenNode();
  CreateEveryMinuteJob(*a.jobs);
  ASSERT_TRUE(FireDueJobsAndWait(*a.jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring).ok());
  auto first = Wait<std::vector<ClaimedRun>>([&](auto done) {
    a.runs->ClaimRuns("node-a", 1, At("2026-11-27T10:01:00Z"), At("2026-11-27T10:01:30Z"), std::move(done));
  });
  ASSERT_TRUE(first.ok() && first->size() == 1);
  const core::RunId id = (*first)[0].run.id;
  // Node a stalls past its lease; node b re-queues the run and takes it.
  ASSERT_TRUE(Wait<std::size_t>([&](auto done) {
                b.runs->RequeueAbandonedRuns(At("2026-11-27T10:02:00Z"), "node-b", false, std::move(done));
              }).ok());
  auto second = Wait<std::vector<ClaimedRun>>([&](auto done) {
    b.runs->ClaimRuns("node-b", 1, At("2026-11-27T10:02:00Z"), At("2026-11-27T10:02:30Z"), std::move(done));
  });
  ASSERT_TRUE(second.ok() && second->size() == 1);
  RunCompletion stale;
  stale.run_id = id;
  stale.state = core::RunState::kFailed;
  stale.finished_at = At("2026-11-27T10:02:05Z");
  stale.error = "late news from node a";
  RunCompletion fresh = stale;
  fresh.state = core::RunState::kSucceeded;
  fresh.error.clear();

  auto stale_finish = Wait<void>([&](auto done) { a.runs->FinishRun("node-a", stale, std::move(done)); });
  auto fresh_finish = Wait<void>([&](auto done) { b.runs->FinishRun("node-b", fresh, std::move(done)); });

  ASSERT_FALSE(stale_finish.ok());
  EXPECT_EQ(stale_finish.error().code, core::ErrorCode::kConflict);
  ASSERT_TRUE(fresh_finish.ok()) << fresh_finish.error().message;
  auto run = a.jobs->GetRun(id);
  EXPECT_EQ(run->state, core::RunState::kSucceeded);
  EXPECT_EQ(run->attempt, 2);
}

// A retry after a COMMIT whose answer was lost sends the same outcome again:
// if it was recorded after all, that is success, not a lost lease.
TEST_F(PostgresStoreTest, TheSameOutcomeSentTwiceIsRecordedOnceAndADifferentOneIsAConflict) {
  Node node = OpenNode();
  CreateEveryMinuteJob(*node.jobs);
  ASSERT_TRUE(FireDueJobsAndWait(*node.jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring).ok());
  auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
    node.runs->ClaimRuns("node-a", 1, At("2026-11-27T10:01:00Z"), At("2026-11-27T10:01:30Z"), std::move(done));
  });
  ASSERT_TRUE(claimed.ok() && claimed->size() == 1);
  RunCompletion outcome;
  outcome.run_id = (*claimed)[0].run.id;
  outcome.state = core::RunState::kSucceeded;
  outcome.finished_at = At("2026-11-27T10:01:02Z");
  RunCompletion later = outcome;
  later.finished_at = At("2026-11-27T10:01:09Z");

  auto first = Wait<void>([&](auto done) { node.runs->FinishRun("node-a", outcome, std::move(done)); });
  auto again = Wait<void>([&](auto done) { node.runs->FinishRun("node-a", outcome, std::move(done)); });
  auto other = Wait<void>([&](auto done) { node.runs->FinishRun("node-a", later, std::move(done)); });

  EXPECT_TRUE(first.ok()) << first.error().message;
  EXPECT_TRUE(again.ok()) << again.error().message;
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code, core::ErrorCode::kConflict);
  EXPECT_EQ(node.jobs->GetRun(outcome.run_id)->finished_at, At("2026-11-27T10:01:02Z"));
}

// More outcomes than one statement takes (at most 8 MiB of output each) are
// all recorded: the batcher goes on with a second statement.
TEST_F(PostgresStoreTest, ABacklogBeyondOneStatementIsRecordedInFull) {
  Node node = OpenNode();
  constexpr int kRuns = 100;  // 100 x 128 KiB of output and error: two statements
  for (int i = 0; i < kRuns; ++i) CreateEveryMinuteJob(*node.jobs);
  ASSERT_TRUE(FireDueJobsAndWait(*node.jobs, At("2026-11-27T10:01:00Z"), 1000, core::PlanFiring).ok());
  auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
    node.runs->ClaimRuns("node-a", kRuns, At("2026-11-27T10:01:00Z"), At("2026-11-27T10:01:30Z"), std::move(done));
  });
  ASSERT_TRUE(claimed.ok() && claimed->size() == kRuns);

  std::vector<std::future<core::Result<void>>> answers;
  for (const ClaimedRun& run : *claimed) {
    RunCompletion outcome;
    outcome.run_id = run.run.id;
    outcome.state = core::RunState::kFailed;
    outcome.finished_at = At("2026-11-27T10:01:05Z");
    outcome.output = std::string(64 * 1024, 'o');
    outcome.error = std::string(64 * 1024, 'e');
    auto answer = std::make_shared<std::promise<core::Result<void>>>();
    answers.push_back(answer->get_future());
    node.runs->FinishRun("node-a", std::move(outcome),
                         [answer](core::Result<void> result) { answer->set_value(result); });
  }

  for (auto& answer : answers) {
    const auto result = answer.get();
    EXPECT_TRUE(result.ok()) << result.error().message;
  }
  EXPECT_EQ(Count("SELECT count(*) FROM runs WHERE state = 'failed' AND length(output) = 65536"), kRuns);
}

// With the database gone, outcomes are answered (kUnavailable, after their
// retries), not left waiting; once it is back, the same outcome goes through.
TEST_F(PostgresStoreTest, OutcomesThatCannotBeWrittenAreAnsweredUnavailable) {
  const std::string role = schema_->name() + "_outcomes";
  ASSERT_TRUE(
      schema_->Execute("CREATE ROLE " + role + " LOGIN; GRANT ALL ON SCHEMA " + schema_->name() + " TO " + role).ok());
  {
    Node node = OpenNode(schema_->UrlAs(role));
    ASSERT_TRUE(node.jobs);
    CreateEveryMinuteJob(*node.jobs);
    ASSERT_TRUE(FireDueJobsAndWait(*node.jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring).ok());
    auto claimed = Wait<std::vector<ClaimedRun>>([&](auto done) {
      node.runs->ClaimRuns("node-a", 1, At("2026-11-27T10:01:00Z"), At("2026-11-27T10:01:30Z"), std::move(done));
    });
    ASSERT_TRUE(claimed.ok() && claimed->size() == 1);
    RunCompletion outcome;
    outcome.run_id = (*claimed)[0].run.id;
    outcome.finished_at = At("2026-11-27T10:01:02Z");

    ASSERT_TRUE(schema_->Execute("ALTER ROLE " + role + " NOLOGIN").ok());
    KillConnections();
    auto refused = Wait<void>([&](auto done) { node.runs->FinishRun("node-a", outcome, std::move(done)); });
    ASSERT_TRUE(schema_->Execute("ALTER ROLE " + role + " LOGIN").ok());
    auto recorded = Wait<void>([&](auto done) { node.runs->FinishRun("node-a", outcome, std::move(done)); });

    ASSERT_FALSE(refused.ok());
    EXPECT_EQ(refused.error().code, core::ErrorCode::kUnavailable) << refused.error().message;
    EXPECT_TRUE(recorded.ok()) << recorded.error().message;
    EXPECT_EQ(node.jobs->GetRun(outcome.run_id)->state, core::RunState::kSucceeded);
  }
  ASSERT_TRUE(schema_->Execute("DROP SCHEMA " + schema_->name() + " CASCADE; DROP ROLE " + role).ok());
}

TEST_F(PostgresStoreTest, LostConnectionsAreReplacedOnTheNextCall) {
  Node node = OpenNode();
  const core::JobId id = CreateEveryMinuteJob(*node.jobs);
  ASSERT_TRUE(node.jobs->GetJob(id).ok());

  KillConnections();

  // Reads are retried on a new connection; a write that could not even begin
  // on the old one is begun again on a new one.
  EXPECT_TRUE(node.jobs->GetJob(id).ok());
  EXPECT_TRUE(node.jobs->ListJobs({}).ok());
  EXPECT_NE(CreateEveryMinuteJob(*node.jobs), 0);
  EXPECT_TRUE(node.runs->QueuedRunCount().ok());
}

TEST_F(PostgresStoreTest, ADatabaseThatCannotBeReachedIsUnavailableUntilItIsBack) {
  const std::string role = schema_->name() + "_app";
  ASSERT_TRUE(
      schema_->Execute("CREATE ROLE " + role + " LOGIN; GRANT ALL ON SCHEMA " + schema_->name() + " TO " + role).ok());
  {
    Node node = OpenNode(schema_->UrlAs(role));
    ASSERT_TRUE(node.jobs);
    const core::JobId id = CreateEveryMinuteJob(*node.jobs);

    // The server refuses new connections of the store's role, and its
    // current ones are cut: like a database that went away.
    ASSERT_TRUE(schema_->Execute("ALTER ROLE " + role + " NOLOGIN").ok());
    KillConnections();

    auto read = node.jobs->GetJob(id);
    ASSERT_FALSE(read.ok());
    EXPECT_EQ(read.error().code, core::ErrorCode::kUnavailable) << read.error().message;
    core::JobRequest request;
    request.name = "refused";
    request.every = "1m";
    request.overlap = "allow";
    auto created = CreateJobAndWait(*node.jobs, *core::ValidateNewJob(request, At("2026-11-27T10:00:00Z")));
    ASSERT_FALSE(created.ok());
    EXPECT_EQ(created.error().code, core::ErrorCode::kUnavailable) << created.error().message;
    EXPECT_EQ(node.jobs->Ping().error().code, core::ErrorCode::kUnavailable);
    auto fired = FireDueJobsAndWait(*node.jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring);
    EXPECT_EQ(fired.error().code, core::ErrorCode::kUnavailable);

    ASSERT_TRUE(schema_->Execute("ALTER ROLE " + role + " LOGIN").ok());

    EXPECT_TRUE(node.jobs->GetJob(id).ok());
    EXPECT_NE(CreateEveryMinuteJob(*node.jobs), 0);
  }
  ASSERT_TRUE(schema_->Execute("DROP SCHEMA " + schema_->name() + " CASCADE; DROP ROLE " + role).ok());
}

TEST_F(PostgresStoreTest, OpeningAServerThatIsNotThereFailsAsUnavailable) {
  auto database = PgDatabase::Open({.url = "postgresql://jobsched@127.0.0.1:1/nowhere?connect_timeout=2"});

  ASSERT_FALSE(database.ok());
  EXPECT_EQ(database.error().code, core::ErrorCode::kUnavailable);
}

TEST_F(PostgresStoreTest, MigrateIsIdempotentAndTheDatabaseRefusesASecondRunOfAnOccurrence) {
  auto first = PgDatabase::Migrate(schema_->url());
  auto second = PgDatabase::Migrate(schema_->url());

  ASSERT_TRUE(first.ok()) << first.error().message;
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*first, LatestVersion(PostgresMigrations()));
  EXPECT_EQ(*second, *first);
  ASSERT_TRUE(schema_
                  ->Execute("INSERT INTO jobs (name, schedule_kind, schedule_expr, created_at, updated_at)"
                            " VALUES ('j', 'interval', 'hourly', 0, 0);"
                            "INSERT INTO runs (job_id, scheduled_for, created_at) SELECT id, 1000, 0 FROM jobs")
                  .ok());
  EXPECT_FALSE(
      schema_->Execute("INSERT INTO runs (job_id, scheduled_for, created_at) SELECT id, 1000, 0 FROM jobs").ok());
}

TEST_F(PostgresStoreTest, NodesStartingTogetherMigrateOnce) {
  std::vector<std::thread> nodes;
  std::atomic<int> failures{0};

  for (int i = 0; i < 4; ++i) {
    nodes.emplace_back([&] {
      if (!PgDatabase::Migrate(schema_->url()).ok()) ++failures;
    });
  }
  for (auto& thread : nodes) thread.join();

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM schema_migrations"), static_cast<std::int64_t>(PostgresMigrations().size()));
}

TEST_F(PostgresStoreTest, AnotherNodeHearsOfNewJobsAndQueuedRuns) {
  Node a = OpenNode();
  Node b = OpenNode();
  Heard heard;
  auto listener = b.database->Listen([&heard](const PgNotification& notification) { heard.Add(notification); },
                                     [&heard] { heard.Reconnected(); });
  ASSERT_TRUE(Listening(*listener));

  const core::JobId id = CreateEveryMinuteJob(*a.jobs);
  const std::string next_run = std::to_string(core::ToUnixMs(*a.jobs->GetJob(id)->next_run));

  EXPECT_TRUE(heard.WaitFor(kJobsChannel, next_run)) << "no notification of the new job's next_run " << next_run;
  heard.Clear();
  ASSERT_EQ(FireDueJobsAndWait(*a.jobs, At("2026-11-27T10:01:00Z"), 10, core::PlanFiring)->runs_created, 1u);
  EXPECT_TRUE(heard.WaitFor(kRunsChannel)) << "no notification of the queued run";
}

TEST_F(PostgresStoreTest, AListenerWhoseConnectionWasCutListensAgainAndSaysSo) {
  Node node = OpenNode();
  Heard heard;
  auto listener = node.database->Listen([&heard](const PgNotification& notification) { heard.Add(notification); },
                                        [&heard] { heard.Reconnected(); });
  ASSERT_TRUE(Listening(*listener));

  KillConnections();

  EXPECT_TRUE(heard.WaitForReconnect());
  ASSERT_TRUE(Listening(*listener));
  const core::JobId id = CreateEveryMinuteJob(*node.jobs);
  const std::string next_run = std::to_string(core::ToUnixMs(*node.jobs->GetJob(id)->next_run));
  EXPECT_TRUE(heard.WaitFor(kJobsChannel, next_run));
}

// NOTIFY is database-wide; a deployment in another schema of the same
// database must hear neither this one's wake-ups nor its events. PostgreSQL
// delivers notifications to a listener in commit order: once a listener has
// heard a later commit of its own, a leaked earlier one would be in already.
TEST_F(PostgresStoreTest, ADeploymentInAnotherSchemaOfTheDatabaseHearsNothingOfThisOne) {
  auto other_schema = jobsched::testing::PgTestSchema::Create();
  ASSERT_TRUE(other_schema.ok()) << other_schema.error().message;
  Node here = OpenNode();
  Node elsewhere = OpenNode((*other_schema)->url());
  Heard heard_here;
  Heard heard_elsewhere;
  auto listener_here = here.database->Listen([&](const PgNotification& heard) { heard_here.Add(heard); }, [] {});
  auto listener_elsewhere =
      elsewhere.database->Listen([&](const PgNotification& heard) { heard_elsewhere.Add(heard); }, [] {});
  ASSERT_TRUE(Listening(*listener_here));
  ASSERT_TRUE(Listening(*listener_elsewhere));
  // Jobs whose next runs differ, so that each notification says whose it is.
  const auto next_run_of = [](JobStore& store, const std::string& every) {
    core::JobRequest request;
    request.name = jobsched::testing::UniqueJobName();
    request.every = every;
    auto job = core::ValidateNewJob(request, At("2026-11-27T10:00:00Z"));
    EXPECT_TRUE(job.ok());
    auto created = CreateJobAndWait(store, *job);
    EXPECT_TRUE(created.ok()) << created.error().message;
    return created.ok() ? std::to_string(core::ToUnixMs(*created->next_run)) : std::string();
  };

  const std::string first_here = next_run_of(*here.jobs, "1m");
  const std::string then_elsewhere = next_run_of(*elsewhere.jobs, "2m");
  const std::string last_here = next_run_of(*here.jobs, "3m");

  ASSERT_TRUE(heard_elsewhere.WaitFor(kJobsChannel, then_elsewhere)) << "the other deployment missed its own change";
  ASSERT_TRUE(heard_here.WaitFor(kJobsChannel, last_here)) << "this deployment missed its own change";
  EXPECT_FALSE(heard_elsewhere.Has(kJobsChannel, first_here)) << "this schema's wake-up reached the other one";
  EXPECT_FALSE(heard_here.Has(kJobsChannel, then_elsewhere)) << "the other schema's wake-up reached this one";
  EXPECT_TRUE(heard_here.Has(kJobsChannel, first_here));
}

}  // namespace
}  // namespace jobsched::store::postgres
