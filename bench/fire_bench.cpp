// End-to-end firing benchmark: the real SqliteJobStore, Scheduler and
// WorkerPool with noop tasks, on a database file in a temporary directory.
//
//   burst   N jobs due at the same instant: how long until every run is
//           fired, executed and recorded (target: 100,000 within 5 s).
//   steady  M jobs `every 1s` with their phases spread evenly over the
//           second (M fires/s), for S seconds (target: lateness p99 <= 10 ms).
//
// Lateness is started_at - scheduled_for of each run, read back from the runs
// table with the sqlite3 C API once the service parts are stopped.
//
// Usage: fire_bench [--mode=all|burst|steady] [--jobs=100000] [--steady-jobs=1000]
//                   [--steady-seconds=10] [--max-concurrent-runs=256] [--fire-batch=512]
//                   [--store-batch=1024] [--commit-spacing-us=(the store's)] [--seed-margin-ms=0 (auto)]
//                   [--dir=$TMPDIR] [--keep]
// Exit status: 0 all checks and targets met, 1 a correctness check failed
// (missing, failed or duplicate runs), 2 only a performance target was missed.

#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "app/system_clock.hpp"
#include "core/job_validation.hpp"
#include "executor/noop/noop_task_runner.hpp"
#include "executor/worker_pool.hpp"
#include "scheduler/scheduler.hpp"
#include "store/sqlite/sqlite_job_store.hpp"

namespace {

using namespace jobsched;
using std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

constexpr core::Milliseconds kBurstTarget{5'000};
constexpr core::Milliseconds kSteadyP99Target{10};
constexpr auto kDrainTimeout = std::chrono::seconds{120};

struct Options {
  std::string mode = "all";
  std::size_t burst_jobs = 100'000;
  std::size_t steady_jobs = 1'000;
  std::int64_t steady_seconds = 10;
  std::size_t max_concurrent_runs = 256;
  std::size_t fire_batch = 512;
  std::size_t store_batch = 1024;
  long long commit_spacing_us = -1;  // -1: the store's default
  milliseconds seed_margin{0};       // 0: estimated from the job count
  std::string dir;
  bool keep = false;
};

// --- options -----------------------------------------------------------------

bool ParseOptions(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto equals = arg.find('=');
    const std::string_view name = arg.substr(0, equals);
    std::string value;
    if (equals != std::string_view::npos) {
      value = std::string(arg.substr(equals + 1));
    } else if (name != "--keep" && name != "--help" && i + 1 < argc) {
      value = argv[++i];
    }
    auto number = [&value] { return static_cast<std::size_t>(std::stoull(value)); };
    try {
      if (name == "--mode") options.mode = value;
      else if (name == "--jobs") options.burst_jobs = number();
      else if (name == "--steady-jobs") options.steady_jobs = number();
      else if (name == "--steady-seconds") options.steady_seconds = static_cast<std::int64_t>(number());
      else if (name == "--max-concurrent-runs") options.max_concurrent_runs = number();
      else if (name == "--fire-batch") options.fire_batch = number();
      else if (name == "--store-batch") options.store_batch = number();
      else if (name == "--commit-spacing-us") options.commit_spacing_us = std::stoll(value);
      else if (name == "--seed-margin-ms") options.seed_margin = milliseconds{number()};
      else if (name == "--dir") options.dir = value;
      else if (name == "--keep") options.keep = true;
      else return false;
    } catch (const std::exception&) {
      std::fprintf(stderr, "fire_bench: bad value for %s: '%s'\n", std::string(name).c_str(), value.c_str());
      return false;
    }
  }
  const bool mode_ok = options.mode == "all" || options.mode == "burst" || options.mode == "steady";
  return mode_ok && options.burst_jobs > 0 && options.steady_jobs > 0 && options.steady_seconds > 0 &&
         options.max_concurrent_runs > 0 && options.fire_batch > 0;
}

// --- store probes: what each store call cost, seen from its caller -----------

struct OpStats {
  std::size_t calls = 0;
  std::size_t items = 0;
  std::chrono::microseconds total{0};
  std::chrono::microseconds longest{0};

  void Add(std::size_t item_count, SteadyClock::duration took) {
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(took);
    ++calls;
    items += item_count;
    total += micros;
    longest = std::max(longest, micros);
  }
  std::string Describe(const char* item_name) const {
    if (calls == 0) return "none";
    char text[160];
    std::snprintf(text, sizeof text, "%zu calls, %.1f %s/call, submit->commit avg %.2f ms, max %.1f ms", calls,
                  static_cast<double>(items) / static_cast<double>(calls), item_name,
                  static_cast<double>(total.count()) / 1000.0 / static_cast<double>(calls),
                  static_cast<double>(longest.count()) / 1000.0);
    return text;
  }
};

// Shared by the two decorators below.
class StoreProbe {
 public:
  void AddFire(std::size_t jobs, SteadyClock::duration took) {
    std::lock_guard lock(mutex_);
    fire_.Add(jobs, took);
  }
  void AddClaim(std::size_t runs, SteadyClock::duration took) {
    std::lock_guard lock(mutex_);
    claim_.Add(runs, took);
  }
  void AddFinish(bool recorded, SteadyClock::duration took) {
    {
      std::lock_guard lock(mutex_);
      finish_.Add(1, took);
      if (recorded) {
        ++recorded_;
        last_recorded_at_ = SteadyClock::now();
      }
    }
    changed_.notify_all();
  }
  // Waits until `count` runs were recorded; false when `timeout` ran out first.
  bool WaitForRecorded(std::size_t count, SteadyClock::duration timeout) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return recorded_ >= count; });
  }
  std::size_t recorded() const {
    std::lock_guard lock(mutex_);
    return recorded_;
  }
  SteadyClock::time_point last_recorded_at() const {
    std::lock_guard lock(mutex_);
    return last_recorded_at_;
  }
  void Print() const {
    std::lock_guard lock(mutex_);
    std::printf("  store FireDueJobs  %s\n", fire_.Describe("jobs").c_str());
    std::printf("  store ClaimRuns    %s\n", claim_.Describe("runs").c_str());
    std::printf("  store FinishRun    %s\n", finish_.Describe("runs").c_str());
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  OpStats fire_;                              // guarded by mutex_
  OpStats claim_;                             // guarded by mutex_
  OpStats finish_;                            // guarded by mutex_
  std::size_t recorded_ = 0;                  // guarded by mutex_
  SteadyClock::time_point last_recorded_at_;  // guarded by mutex_
};

// The scheduler's view of the store, timing each FireDueJobs.
class ProbedJobStore final : public store::JobStore {
 public:
  ProbedJobStore(store::JobStore& inner, StoreProbe& probe) : inner_(inner), probe_(probe) {}

  void CreateJob(core::Job job, JobCallback done, store::Audit audit = std::nullopt) override {
    inner_.CreateJob(std::move(job), std::move(done), std::move(audit));
  }
  void UpdateJob(core::JobId id, JobChange change, JobCallback done, store::Audit audit = std::nullopt) override {
    inner_.UpdateJob(id, std::move(change), std::move(done), std::move(audit));
  }
  void DeleteJob(core::JobId id, std::function<core::Result<void>(const core::Job&)> check,
                 std::function<void(core::Result<void>)> done, store::Audit audit = std::nullopt) override {
    inner_.DeleteJob(id, std::move(check), std::move(done), std::move(audit));
  }
  void TriggerJob(core::JobId id, core::TimePoint now, std::function<void(core::Result<core::Run>)> done,
                  store::Audit audit = std::nullopt) override {
    inner_.TriggerJob(id, now, std::move(done), std::move(audit));
  }
  void BackfillJob(core::JobId id, core::TimePoint now, store::BackfillPlanner planner, BackfillDone done,
                   store::Audit audit = std::nullopt) override {
    inner_.BackfillJob(id, now, std::move(planner), std::move(done), std::move(audit));
  }
  void CancelRun(core::JobId job_id, core::RunId run_id, core::TimePoint now,
                 std::function<void(core::Result<core::Run>)> done) override {
    inner_.CancelRun(job_id, run_id, now, std::move(done));
  }
  void ChangeJobs(std::vector<core::JobId> ids, store::JobAction action, core::TimePoint now,
                  std::optional<std::string> only_namespace, std::function<void(core::Result<store::BulkOutcome>)> done,
                  store::Audit audit = std::nullopt) override {
    inner_.ChangeJobs(std::move(ids), action, now, std::move(only_namespace), std::move(done), std::move(audit));
  }
  void CancelRuns(std::vector<core::RunId> ids, core::TimePoint now, std::optional<std::string> only_namespace,
                  std::function<void(core::Result<store::BulkOutcome>)> done) override {
    inner_.CancelRuns(std::move(ids), now, std::move(only_namespace), std::move(done));
  }
  core::Result<core::Job> GetJob(core::JobId id) override { return inner_.GetJob(id); }
  core::Result<std::vector<core::Job>> ListJobs(const store::JobListQuery& query) override {
    return inner_.ListJobs(query);
  }
  core::Result<std::map<core::JobId, std::vector<core::RunState>>> RecentRunStates(const std::vector<core::JobId>& jobs,
                                                                                   std::size_t count) override {
    return inner_.RecentRunStates(jobs, count);
  }
  core::Result<store::StoreStats> Stats(const store::StatsQuery& query) override { return inner_.Stats(query); }
  core::Result<void> Ping() override { return inner_.Ping(); }
  core::Result<std::optional<core::TimePoint>> NextDueTime() override { return inner_.NextDueTime(); }
  void ResumePausedJobs(core::TimePoint now, std::size_t limit, ResumeDone done,
                        store::Audit audit = std::nullopt) override {
    inner_.ResumePausedJobs(now, limit, std::move(done), std::move(audit));
  }
  void FireDueJobs(core::TimePoint now, std::size_t limit, store::FirePlanner planner,
                   std::function<void(core::Result<store::FireResult>)> done) override {
    const auto submitted = SteadyClock::now();
    inner_.FireDueJobs(now, limit, std::move(planner),
                       [this, submitted, done = std::move(done)](core::Result<store::FireResult> result) {
                         probe_.AddFire(result ? result->jobs_fired : 0, SteadyClock::now() - submitted);
                         done(std::move(result));
                       });
  }
  void PruneRunsFinishedBefore(core::TimePoint before, std::size_t limit,
                               std::function<void(core::Result<std::size_t>)> done) override {
    inner_.PruneRunsFinishedBefore(before, limit, std::move(done));
  }
  void PruneRunRollupsBefore(core::TimePoint before, std::size_t limit,
                             std::function<void(core::Result<std::size_t>)> done) override {
    inner_.PruneRunRollupsBefore(before, limit, std::move(done));
  }
  void PruneRunsBeyond(std::size_t keep, core::JobId after_job, std::size_t job_limit, std::size_t limit,
                       std::function<void(core::Result<store::PruneResult>)> done) override {
    inner_.PruneRunsBeyond(keep, after_job, job_limit, limit, std::move(done));
  }
  core::Result<core::Run> GetRun(core::RunId id) override { return inner_.GetRun(id); }
  core::Result<std::vector<core::RunAttempt>> ListRunAttempts(core::RunId id) override {
    return inner_.ListRunAttempts(id);
  }
  core::Result<std::vector<core::Run>> ListRuns(const store::RunListQuery& query) override {
    return inner_.ListRuns(query);
  }

 private:
  store::JobStore& inner_;
  StoreProbe& probe_;
};

// The worker pool's view of the run queue, timing claims and counting the
// outcomes recorded (committed).
class ProbedRunQueue final : public store::RunQueue {
 public:
  ProbedRunQueue(store::RunQueue& inner, StoreProbe& probe) : inner_(inner), probe_(probe) {}

  void ClaimRuns(const std::string& owner, std::size_t limit, core::TimePoint now, core::TimePoint lease_until,
                 std::function<void(core::Result<std::vector<store::ClaimedRun>>)> done) override {
    const auto submitted = SteadyClock::now();
    inner_.ClaimRuns(owner, limit, now, lease_until,
                     [this, submitted, done = std::move(done)](core::Result<std::vector<store::ClaimedRun>> result) {
                       probe_.AddClaim(result ? result->size() : 0, SteadyClock::now() - submitted);
                       done(std::move(result));
                     });
  }
  void FinishRun(const std::string& owner, store::RunCompletion completion,
                 std::function<void(core::Result<void>)> done) override {
    const auto submitted = SteadyClock::now();
    inner_.FinishRun(owner, std::move(completion),
                     [this, submitted, done = std::move(done)](core::Result<void> result) {
                       probe_.AddFinish(result.ok(), SteadyClock::now() - submitted);
                       done(std::move(result));
                     });
  }
  void RetryRun(const std::string& owner, store::RunCompletion failed_attempt, core::TimePoint available_at,
                std::function<void(core::Result<void>)> done) override {
    inner_.RetryRun(owner, std::move(failed_attempt), available_at, std::move(done));
  }
  void RenewLeases(const std::string& owner, core::TimePoint lease_until, std::vector<core::RunId> held,
                   std::function<void(core::Result<std::vector<core::RunId>>)> done) override {
    inner_.RenewLeases(owner, lease_until, std::move(held), std::move(done));
  }
  void RequeueAbandonedRuns(core::TimePoint now, const std::string& live_owner, bool all_other_owners,
                            std::function<void(core::Result<std::size_t>)> done) override {
    inner_.RequeueAbandonedRuns(now, live_owner, all_other_owners, std::move(done));
  }
  void ReleaseRuns(const std::string& owner, std::vector<core::RunId> run_ids, core::TimePoint now,
                   std::function<void(core::Result<void>)> done) override {
    inner_.ReleaseRuns(owner, std::move(run_ids), now, std::move(done));
  }
  core::Result<std::size_t> QueuedRunCount() override { return inner_.QueuedRunCount(); }
  core::Result<std::size_t> LiveNodeCount(core::TimePoint now) override { return inner_.LiveNodeCount(now); }

 private:
  store::RunQueue& inner_;
  StoreProbe& probe_;
};

// --- the service parts, wired as app/service.cpp does -----------------------

class Rig {
 public:
  static core::Result<std::unique_ptr<Rig>> Start(const std::string& db_path, const Options& options) {
    auto rig = std::unique_ptr<Rig>(new Rig());
    store::sqlite::SqliteOptions store_options{.path = db_path, .max_batch = options.store_batch};
    store_options.clock = &rig->clock_;  // as the service does
    if (options.commit_spacing_us >= 0)
      store_options.commit_spacing = std::chrono::microseconds{options.commit_spacing_us};
    auto store = store::sqlite::SqliteJobStore::Open(store_options);
    if (!store) return store.error();
    rig->store_ = std::move(store).value();
    rig->jobs_ = std::make_unique<ProbedJobStore>(*rig->store_, rig->probe_);
    rig->queue_ = std::make_unique<ProbedRunQueue>(*rig->store_, rig->probe_);

    executor::WorkerPoolOptions pool_options;
    pool_options.owner = "fire-bench-" + std::to_string(getpid());
    pool_options.max_concurrent_runs = options.max_concurrent_runs;
    executor::TaskRunners runners;
    runners.Set<core::NoopTask>(&rig->noop_);
    rig->pool_ = std::make_unique<executor::WorkerPool>(*rig->queue_, rig->clock_, runners, pool_options);
    if (auto started = rig->pool_->Start(); !started) return started.error();

    executor::WorkerPool& pool = *rig->pool_;
    rig->scheduler_ = std::make_unique<scheduler::Scheduler>(
        *rig->jobs_, rig->clock_, scheduler::SchedulerOptions{.batch_size = options.fire_batch},
        [&pool] { pool.Notify(); });
    rig->scheduler_->Start();
    return rig;
  }

  ~Rig() { Stop(); }

  // Creates `jobs` with many writes in flight (the store commits them in
  // groups), telling the scheduler about each, as the API does.
  core::Result<void> Seed(std::vector<core::Job> jobs) {
    std::mutex mutex;
    std::condition_variable all_done;
    std::size_t answered = 0;
    std::optional<core::Error> failure;
    const std::size_t total = jobs.size();
    for (core::Job& job : jobs) {
      jobs_->CreateJob(std::move(job), [&](core::Result<core::Job> created) {
        if (created && created->next_run) scheduler_->NotifyNextRun(*created->next_run);
        std::lock_guard lock(mutex);
        if (!created && !failure) failure = created.error();
        if (++answered == total) all_done.notify_all();
      });
    }
    std::unique_lock lock(mutex);
    all_done.wait(lock, [&] { return answered == total; });
    if (failure) return *failure;
    return core::Ok();
  }

  void StopScheduler() { scheduler_->Stop(); }

  // Waits until no run is queued or executing; false on timeout.
  bool WaitForDrain(SteadyClock::duration timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (SteadyClock::now() < deadline) {
      auto queued = store_->QueuedRunCount();
      if (queued && *queued == 0 && pool_->busy() == 0) return true;
      std::this_thread::sleep_for(milliseconds{10});
    }
    return false;
  }

  // Scheduler first, then the pool, then the store (its writer finishes
  // what was submitted).
  void Stop() {
    if (scheduler_) scheduler_->Stop();
    if (pool_) pool_->Stop(milliseconds{5'000});
    scheduler_.reset();
    pool_.reset();
    if (store_) wal_ = store_->Wal();
    store_.reset();
  }

  StoreProbe& probe() { return probe_; }
  // What the store wrote to its WAL (after Stop).
  void PrintWal(std::size_t runs) const {
    std::printf(
        "  WAL                %.1f MiB written in %lld commits (%.1f KB per run, seeding included), "
        "largest %.1f MiB, %lld restarts (%lld refused), longest %.1f ms\n",
        static_cast<double>(wal_.bytes_written) / (1 << 20), static_cast<long long>(wal_.commits),
        static_cast<double>(wal_.bytes_written) / 1000.0 / static_cast<double>(std::max<std::size_t>(runs, 1)),
        static_cast<double>(wal_.largest_wal_bytes) / (1 << 20), static_cast<long long>(wal_.restarts),
        static_cast<long long>(wal_.refusals), static_cast<double>(wal_.longest_restart.count()) / 1000.0);
  }
  const core::Clock& clock() const { return clock_; }

 private:
  Rig() = default;

  app::SystemClock clock_;
  StoreProbe probe_;
  executor::noop::NoopTaskRunner noop_;
  std::unique_ptr<store::sqlite::SqliteJobStore> store_;
  store::sqlite::WalStats wal_;
  std::unique_ptr<ProbedJobStore> jobs_;
  std::unique_ptr<ProbedRunQueue> queue_;
  std::unique_ptr<executor::WorkerPool> pool_;
  std::unique_ptr<scheduler::Scheduler> scheduler_;
};

core::Result<std::vector<core::Job>> MakeJobs(std::size_t count, const std::string& every, core::TimePoint now,
                                              core::TimePoint first_due, milliseconds spread) {
  std::vector<core::Job> jobs;
  jobs.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    core::JobRequest request;
    request.name = "fire-bench-" + std::to_string(i);
    request.every = every;
    request.task = core::NoopTask{};
    auto job = core::ValidateNewJob(request, now);
    if (!job) return job.error();
    // Phase i of `count`, evenly over `spread`.
    job->next_run =
        first_due + milliseconds{static_cast<std::int64_t>(i) * spread.count() / static_cast<std::int64_t>(count)};
    jobs.push_back(std::move(job).value());
  }
  return jobs;
}

// --- reading the runs table ---------------------------------------------------

struct RunFigures {
  std::size_t runs = 0;
  std::size_t succeeded = 0;
  std::size_t duplicates = 0;            // (job_id, scheduled_for) pairs with more than one run
  std::vector<std::int64_t> lateness;    // started_at - scheduled_for, ms
  std::vector<std::int64_t> insert_lag;  // created_at - scheduled_for, ms
  std::int64_t last_created = 0;         // max over the runs, ms since epoch
  std::int64_t last_started = 0;
  std::int64_t last_finished = 0;
};

class ReadOnlyDb {
 public:
  explicit ReadOnlyDb(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db_);
    }
  }
  ~ReadOnlyDb() { sqlite3_close(db_); }
  ReadOnlyDb(const ReadOnlyDb&) = delete;
  ReadOnlyDb& operator=(const ReadOnlyDb&) = delete;

  // Runs `sql` with ?1 = from_ms and ?2 = to_ms (when it uses them), calling
  // `on_row` per row.
  template <typename OnRow>
  bool Query(const char* sql, std::int64_t from_ms, std::int64_t to_ms, OnRow on_row) {
    if (!error_.empty()) return false;
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &statement, nullptr) != SQLITE_OK) {
      error_ = sqlite3_errmsg(db_);
      return false;
    }
    if (sqlite3_bind_parameter_count(statement) >= 2) {
      sqlite3_bind_int64(statement, 1, from_ms);
      sqlite3_bind_int64(statement, 2, to_ms);
    }
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW) on_row(statement);
    if (rc != SQLITE_DONE) error_ = sqlite3_errmsg(db_);
    sqlite3_finalize(statement);
    return rc == SQLITE_DONE;
  }
  const std::string& error() const { return error_; }

 private:
  sqlite3* db_ = nullptr;
  std::string error_;
};

// The runs scheduled in [from, to).
core::Result<RunFigures> ReadRuns(const std::string& path, core::TimePoint from, core::TimePoint to) {
  ReadOnlyDb db(path);
  RunFigures figures;
  const bool ok =
      db.Query(
          "SELECT scheduled_for, created_at, started_at, finished_at, state = 'succeeded' FROM runs "
          "WHERE scheduled_for >= ?1 AND scheduled_for < ?2",
          core::ToUnixMs(from), core::ToUnixMs(to),
          [&figures](sqlite3_stmt* row) {
            const std::int64_t scheduled_for = sqlite3_column_int64(row, 0);
            const std::int64_t created_at = sqlite3_column_int64(row, 1);
            ++figures.runs;
            figures.insert_lag.push_back(created_at - scheduled_for);
            figures.last_created = std::max(figures.last_created, created_at);
            if (sqlite3_column_type(row, 2) != SQLITE_NULL) {
              const std::int64_t started_at = sqlite3_column_int64(row, 2);
              figures.lateness.push_back(started_at - scheduled_for);
              figures.last_started = std::max(figures.last_started, started_at);
            }
            const std::int64_t finished_at = sqlite3_column_int64(row, 3);
            figures.last_finished = std::max(figures.last_finished, finished_at);
            if (sqlite3_column_int64(row, 4) != 0) ++figures.succeeded;
          }) &&
      db.Query("SELECT count(*) FROM (SELECT 1 FROM runs GROUP BY job_id, scheduled_for HAVING count(*) > 1)", 0, 0,
               [&figures](sqlite3_stmt* row) {
                 figures.duplicates = static_cast<std::size_t>(sqlite3_column_int64(row, 0));
               });
  if (!ok) return core::Error::Internal("reading " + path + ": " + db.error());
  std::sort(figures.lateness.begin(), figures.lateness.end());
  std::sort(figures.insert_lag.begin(), figures.insert_lag.end());
  return figures;
}

// Nearest-rank percentile of sorted values.
std::int64_t Percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return -1;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

std::string Distribution(const std::vector<std::int64_t>& sorted) {
  char text[96];
  std::snprintf(text, sizeof text, "p50 %lld  p99 %lld  max %lld ms", static_cast<long long>(Percentile(sorted, 0.50)),
                static_cast<long long>(Percentile(sorted, 0.99)),
                static_cast<long long>(sorted.empty() ? -1 : sorted.back()));
  return text;
}

double Seconds(SteadyClock::duration d) { return std::chrono::duration<double>(d).count(); }
double Seconds(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }

// Prints the checks every scenario shares; false when one failed.
bool CheckRuns(const RunFigures& figures, std::size_t expected) {
  std::printf("  runs               %zu of %zu expected, %zu succeeded\n", figures.runs, expected, figures.succeeded);
  std::printf("  duplicates: %zu\n", figures.duplicates);
  const bool ok = figures.runs == expected && figures.succeeded == expected && figures.duplicates == 0;
  if (!ok) std::printf("  CHECK FAILED: expected %zu runs, all succeeded, no duplicates\n", expected);
  return ok;
}

// --- scenarios ------------------------------------------------------------------

enum class Verdict { kPass, kTargetMissed, kBroken };

Verdict Worse(Verdict a, Verdict b) { return static_cast<int>(a) > static_cast<int>(b) ? a : b; }

milliseconds SeedMargin(const Options& options, std::size_t jobs) {
  if (options.seed_margin.count() > 0) return options.seed_margin;
  // Seeding runs at 50,000+ jobs/s; leave room for a busy machine.
  return milliseconds{1'000 + static_cast<std::int64_t>(jobs) / 30};
}

// Sleeps until the system clock reads `when`.
void SleepUntil(const core::Clock& clock, core::TimePoint when) {
  const auto left = when - clock.Now();
  if (left > core::Milliseconds{0}) std::this_thread::sleep_for(left);
}

Verdict RunBurst(const Options& options, const std::string& db_path) {
  const std::size_t count = options.burst_jobs;
  std::printf("== burst: %zu jobs due at one instant (max_concurrent_runs %zu, fire batch %zu, store batch %zu)\n",
              count, options.max_concurrent_runs, options.fire_batch, options.store_batch);
  auto rig = Rig::Start(db_path, options);
  if (!rig) {
    std::printf("  cannot start: %s\n", rig.error().message.c_str());
    return Verdict::kBroken;
  }
  const core::TimePoint now = (*rig)->clock().Now();
  const core::TimePoint due = now + SeedMargin(options, count);
  auto jobs = MakeJobs(count, "1h", now, due, milliseconds{0});
  if (!jobs) {
    std::printf("  cannot build jobs: %s\n", jobs.error().message.c_str());
    return Verdict::kBroken;
  }
  const auto seed_start = SteadyClock::now();
  if (auto seeded = (*rig)->Seed(std::move(jobs).value()); !seeded) {
    std::printf("  seeding failed: %s\n", seeded.error().message.c_str());
    return Verdict::kBroken;
  }
  const double seed_seconds = Seconds(SteadyClock::now() - seed_start);
  const auto slack = due - (*rig)->clock().Now();
  std::printf("  seeded             %zu jobs in %.2f s (%.0f jobs/s), %lld ms before the due instant\n", count,
              seed_seconds, static_cast<double>(count) / seed_seconds, static_cast<long long>(slack.count()));
  if (slack < milliseconds{100}) {
    std::printf("  CHECK FAILED: seeding ran into the due instant; rerun with a larger --seed-margin-ms\n");
    return Verdict::kBroken;
  }

  SleepUntil((*rig)->clock(), due);
  const auto due_steady = SteadyClock::now();
  const bool all_recorded = (*rig)->probe().WaitForRecorded(count, kDrainTimeout);
  const double commit_seconds = Seconds((*rig)->probe().last_recorded_at() - due_steady);
  (*rig)->Stop();
  std::printf("  log of store calls (seen from the scheduler and the pool):\n");
  (*rig)->probe().Print();
  if (!all_recorded) {
    std::printf("  only %zu runs recorded within %lld s\n", (*rig)->probe().recorded(),
                static_cast<long long>(kDrainTimeout.count()));
  }

  auto figures = ReadRuns(db_path, due, due + milliseconds{1});
  if (!figures) {
    std::printf("  %s\n", figures.error().message.c_str());
    return Verdict::kBroken;
  }
  const bool correct = CheckRuns(*figures, count);
  const std::int64_t due_ms = core::ToUnixMs(due);
  const double done_seconds = Seconds(figures->last_finished - due_ms);
  std::printf("  all fired by       +%.3f s  (max created_at - due)\n", Seconds(figures->last_created - due_ms));
  std::printf("  all claimed by     +%.3f s  (max started_at - due)\n", Seconds(figures->last_started - due_ms));
  std::printf("  all recorded by    +%.3f s  (max finished_at - due; last commit seen at +%.3f s)\n", done_seconds,
              commit_seconds);
  const double rate = static_cast<double>(figures->succeeded) / std::max(done_seconds, 0.001);
  std::printf("  throughput         %.0f runs/s end to end\n", rate);
  (*rig)->PrintWal(figures->runs);
  std::printf("  lateness           %s  (started_at - scheduled_for)\n", Distribution(figures->lateness).c_str());
  std::printf("  insert lag         %s  (created_at - scheduled_for)\n", Distribution(figures->insert_lag).c_str());
  const bool met = correct && done_seconds * 1000.0 <=
                                  static_cast<double>(kBurstTarget.count()) * static_cast<double>(count) / 100'000.0;
  std::printf("  target             %zu runs within %.2f s (>= 20000 runs/s): %s\n", count,
              Seconds(kBurstTarget.count()) * static_cast<double>(count) / 100'000.0, met ? "MET" : "MISSED");
  if (!correct) return Verdict::kBroken;
  return met ? Verdict::kPass : Verdict::kTargetMissed;
}

Verdict RunSteady(const Options& options, const std::string& db_path) {
  const std::size_t count = options.steady_jobs;
  const auto window = std::chrono::seconds{options.steady_seconds};
  std::printf("== steady: %zu jobs every 1s, phases spread over the second (%zu fires/s), for %lld s\n", count, count,
              static_cast<long long>(options.steady_seconds));
  auto rig = Rig::Start(db_path, options);
  if (!rig) {
    std::printf("  cannot start: %s\n", rig.error().message.c_str());
    return Verdict::kBroken;
  }
  const core::TimePoint now = (*rig)->clock().Now();
  // The window opens on a whole second, after seeding.
  const core::TimePoint start = std::chrono::ceil<std::chrono::seconds>(now + SeedMargin(options, count));
  auto jobs = MakeJobs(count, "1s", now, start, milliseconds{1'000});
  if (!jobs) {
    std::printf("  cannot build jobs: %s\n", jobs.error().message.c_str());
    return Verdict::kBroken;
  }
  if (auto seeded = (*rig)->Seed(std::move(jobs).value()); !seeded) {
    std::printf("  seeding failed: %s\n", seeded.error().message.c_str());
    return Verdict::kBroken;
  }
  if ((*rig)->clock().Now() >= start) {
    std::printf("  CHECK FAILED: seeding ran into the window; rerun with a larger --seed-margin-ms\n");
    return Verdict::kBroken;
  }
  const core::TimePoint end = start + window;
  // Fire a little past the window so its last occurrences are not cut off.
  SleepUntil((*rig)->clock(), end + milliseconds{500});
  (*rig)->StopScheduler();
  const bool drained = (*rig)->WaitForDrain(kDrainTimeout);
  (*rig)->Stop();
  std::printf("  log of store calls (seen from the scheduler and the pool, incl. 0.5 s past the window):\n");
  (*rig)->probe().Print();
  if (!drained) {
    std::printf("  runs still queued or running after %lld s\n", static_cast<long long>(kDrainTimeout.count()));
  }

  auto figures = ReadRuns(db_path, start, end);
  if (!figures) {
    std::printf("  %s\n", figures.error().message.c_str());
    return Verdict::kBroken;
  }
  const bool correct = CheckRuns(*figures, count * static_cast<std::size_t>(options.steady_seconds));
  std::printf("  fires              %.0f runs/s in the window\n",
              static_cast<double>(figures->runs) / static_cast<double>(options.steady_seconds));
  (*rig)->PrintWal(figures->runs);
  std::printf("  lateness           %s  (started_at - scheduled_for)\n", Distribution(figures->lateness).c_str());
  std::printf("  insert lag         %s  (created_at - scheduled_for)\n", Distribution(figures->insert_lag).c_str());
  const bool met = correct && Percentile(figures->lateness, 0.99) <= kSteadyP99Target.count();
  std::printf("  target             lateness p99 <= %lld ms: %s\n", static_cast<long long>(kSteadyP99Target.count()),
              met ? "MET" : "MISSED");
  if (!correct) return Verdict::kBroken;
  return met ? Verdict::kPass : Verdict::kTargetMissed;
}

std::string TempDirectory(const Options& options) {
  std::string parent = options.dir;
  if (parent.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    parent = tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
  }
  std::string pattern = parent + "/jobsched-fire-bench-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) return {};
  return pattern;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseOptions(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: fire_bench [--mode=all|burst|steady] [--jobs=N] [--steady-jobs=N] [--steady-seconds=S]\n"
                 "                  [--max-concurrent-runs=N] [--fire-batch=N] [--store-batch=N]\n"
                 "                  [--seed-margin-ms=MS] [--dir=PATH] [--keep]\n");
    return 64;
  }
  const std::string dir = TempDirectory(options);
  if (dir.empty()) {
    std::fprintf(stderr, "fire_bench: cannot create a temporary directory\n");
    return 1;
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  Verdict verdict = Verdict::kPass;
  try {
    if (options.mode != "steady") verdict = Worse(verdict, RunBurst(options, dir + "/burst.db"));
    if (options.mode != "burst") verdict = Worse(verdict, RunSteady(options, dir + "/steady.db"));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "fire_bench: %s\n", error.what());
    verdict = Verdict::kBroken;
  }
  if (options.keep) {
    std::printf("kept %s\n", dir.c_str());
  } else {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  switch (verdict) {
    case Verdict::kPass: return 0;
    case Verdict::kTargetMissed: return 2;
    case Verdict::kBroken: return 1;
  }
  return 1;
}
