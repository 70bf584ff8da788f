#include "api/bulk_handlers.hpp"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/bulk_request.hpp"
#include "api/dry_run.hpp"
#include "api/job_handlers.hpp"
#include "api/json_body.hpp"
#include "api/json_response.hpp"
#include "api/problem.hpp"
#include "api/request_audit.hpp"

namespace jobsched::api {
namespace {

using Outcome = store::BulkOutcome;
using OutcomeCallback = std::function<void(core::Result<Outcome>)>;
// Applies the bulk change to one batch of ids (a store call).
using ApplyBatch = std::function<void(std::vector<std::int64_t> batch, OutcomeCallback done)>;

core::Error TooMany(std::string_view what) {
  return core::Error::InvalidArgument(
      "filter", "filter: matches more than " + std::to_string(kMaxBulkTargets) + " " + std::string(what) +
                    " (the most one request changes); narrow the filter, or send ids in several requests");
}

void Merge(Outcome& total, Outcome&& batch) {
  total.changed.insert(total.changed.end(), batch.changed.begin(), batch.changed.end());
  total.unchanged.insert(total.unchanged.end(), batch.unchanged.begin(), batch.unchanged.end());
  for (store::BulkFailure& failure : batch.failed) total.failed.push_back(std::move(failure));
  total.stopping.insert(total.stopping.end(), batch.stopping.begin(), batch.stopping.end());
}

// Sorts `error` of a read into the outcome of `id` (a refusal: missing,
// hidden, conflict) or answers it as the request's failure (false).
bool Record(Outcome& outcome, std::int64_t id, const core::Error& error) {
  if (!store::IsBulkRefusal(error)) return false;
  outcome.failed.push_back(store::BulkFailure{id, error});
  return true;
}

// The state of a bulk change between its batches.
struct Batches {
  std::vector<std::int64_t> ids;
  std::size_t next = 0;  // index of the next batch's first id
  Outcome total;
  ApplyBatch apply;
  std::function<void(const Outcome&)> after_each;  // may be empty
  Responder respond;
};

// Applies the batch at `state->next`, and once it committed the next one;
// answers after the last, or at the first batch that failed (the ones before
// it stay applied, as the answer says).
void ApplyNext(const std::shared_ptr<Batches>& state) {
  if (state->next >= state->ids.size()) {
    return state->respond(JsonResponse(200, EncodeBulkOutcome(state->total)));
  }
  const std::size_t end = std::min(state->ids.size(), state->next + kBulkBatchSize);
  std::vector<std::int64_t> batch(state->ids.begin() + static_cast<std::ptrdiff_t>(state->next),
                                  state->ids.begin() + static_cast<std::ptrdiff_t>(end));
  const std::size_t done_before = state->next;
  state->next = end;
  state->apply(std::move(batch), [state, done_before](core::Result<Outcome> outcome) {
    if (!outcome) {
      core::Error error = outcome.error();
      error.message += "; the first " + std::to_string(done_before) + " of " + std::to_string(state->ids.size()) +
                       " were done, the rest not";
      return state->respond(ProblemResponse(error));
    }
    if (state->after_each) state->after_each(*outcome);
    Merge(state->total, std::move(outcome).value());
    ApplyNext(state);
  });
}

// Every job `filter` matches for `caller`, by id, walked in keyset pages.
core::Result<std::vector<core::Job>> MatchingJobs(store::JobStore& store, const JobFilter& filter,
                                                  const Caller& caller) {
  std::vector<core::Job> jobs;
  if (filter.Foreign(caller)) return jobs;
  store::JobListQuery query;
  filter.ApplyTo(query, caller);
  query.limit = kBulkBatchSize;
  for (;;) {
    auto page = store.ListJobs(query);
    if (!page) return page.error();
    const bool last = page->size() < query.limit;
    for (core::Job& job : *page) jobs.push_back(std::move(job));
    if (jobs.size() > kMaxBulkTargets) return TooMany("jobs");
    if (last || jobs.empty()) return jobs;
    query.after_id = jobs.back().id;
  }
}

// Every run `query` (its filters) matches for `caller`, newest first, walked in keyset pages.
core::Result<std::vector<core::Run>> MatchingRuns(store::JobStore& store, store::RunListQuery query,
                                                  const Caller& caller) {
  if (!caller.all_namespaces) query.job_namespace = caller.home_namespace;
  query.limit = kBulkBatchSize;
  std::vector<core::Run> runs;
  for (;;) {
    auto page = store.ListRuns(query);
    if (!page) return page.error();
    const bool last = page->size() < query.limit;
    for (core::Run& run : *page) runs.push_back(std::move(run));
    if (runs.size() > kMaxBulkTargets) return TooMany("runs");
    if (last || runs.empty()) return runs;
    query.before_id = runs.back().id;
  }
}

// What `action` would do to `job`, as ChangeJobs would judge it now (the run
// quota is judged only when the change is made).
core::Result<bool> PreviewJobAction(store::JobStore& store, const core::Job& job, store::JobAction action,
                                    core::TimePoint now) {
  switch (action) {
    case store::JobAction::kPause:
    case store::JobAction::kResume: {
      auto changed = store::JobWithActive(job, action == store::JobAction::kResume, now);
      if (!changed) return changed.error();
      return changed->has_value();
    }
    case store::JobAction::kTrigger: {
      if (auto allowed = CheckTriggerAllowed(store, job); !allowed) return allowed.error();
      return true;
    }
    case store::JobAction::kDelete: return true;
  }
  return core::Error::Internal("unknown bulk action");
}

core::Result<Outcome> PreviewJobs(store::JobStore& store, const std::vector<core::Job>& jobs, store::JobAction action,
                                  core::TimePoint now, Outcome outcome) {
  for (const core::Job& job : jobs) {
    auto changes = PreviewJobAction(store, job, action, now);
    if (!changes) {
      if (!Record(outcome, job.id, changes.error())) return changes.error();
      continue;
    }
    (*changes ? outcome.changed : outcome.unchanged).push_back(job.id);
  }
  return outcome;
}

// The jobs of `ids` the caller may see; the others go to `outcome` as failed.
core::Result<std::vector<core::Job>> VisibleJobs(store::JobStore& store, const Caller& caller,
                                                 const std::vector<std::int64_t>& ids, Outcome& outcome) {
  std::vector<core::Job> jobs;
  for (const std::int64_t id : ids) {
    auto job = VisibleJob(store, caller, id);
    if (job) {
      jobs.push_back(std::move(job).value());
    } else if (!Record(outcome, id, job.error())) {
      return job.error();
    }
  }
  return jobs;
}

}  // namespace

void BulkHandlers::Register(Router& router) {
  router.Add("POST", "/jobs/bulk", [this](HttpRequest&& request, const PathParams&, Responder respond) {
    ChangeJobs(request, std::move(respond));
  });
  router.Add("POST", "/runs/bulk", [this](HttpRequest&& request, const PathParams&, Responder respond) {
    CancelRuns(request, std::move(respond));
  });
}

void BulkHandlers::ChangeJobs(const HttpRequest& request, Responder respond) {
  auto body = DecodeJsonObject(request);
  if (!body) return respond(JsonBodyProblem(body.error()));
  auto bulk = DecodeJobBulk(*body);
  if (!bulk) return respond(ProblemResponse(bulk.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  const Caller& caller = request.caller;
  std::vector<core::Job> jobs;  // the filter's, read once
  Outcome outcome;
  if (bulk->filter) {
    auto matching = MatchingJobs(store_, *bulk->filter, caller);
    if (!matching) return respond(ProblemResponse(matching.error()));
    jobs = std::move(matching).value();
  }
  if (bulk->dry_run || *dry_run) {
    if (!bulk->filter) {
      auto visible = VisibleJobs(store_, caller, bulk->ids, outcome);
      if (!visible) return respond(ProblemResponse(visible.error()));
      jobs = std::move(visible).value();
    }
    auto preview = PreviewJobs(store_, jobs, bulk->action, clock_.Now(), std::move(outcome));
    if (!preview) return respond(ProblemResponse(preview.error()));
    return respond(JsonResponse(200, EncodeBulkOutcome(*preview)));
  }
  auto state = std::make_shared<Batches>();
  state->ids = std::move(bulk->ids);
  for (const core::Job& job : jobs) state->ids.push_back(job.id);
  std::optional<std::string> only_namespace;
  if (!caller.all_namespaces) only_namespace = caller.home_namespace;
  // The later batches start from a store thread: they hold the store and the
  // clock (which outlive every request), not the handlers.
  // One audit entry per job changed, each batch in its own transaction.
  state->apply = [&store = store_, &clock = clock_, action = bulk->action, only_namespace,
                  audit = RequestAudit(request, clock_.Now())](std::vector<std::int64_t> batch, OutcomeCallback done) {
    store.ChangeJobs(std::move(batch), action, clock.Now(), only_namespace, std::move(done), audit);
  };
  state->respond = std::move(respond);
  ApplyNext(state);
}

void BulkHandlers::CancelRuns(const HttpRequest& request, Responder respond) {
  auto body = DecodeJsonObject(request);
  if (!body) return respond(JsonBodyProblem(body.error()));
  auto bulk = DecodeRunBulk(*body);
  if (!bulk) return respond(ProblemResponse(bulk.error()));
  auto dry_run = DryRunRequested(request);
  if (!dry_run) return respond(ProblemResponse(dry_run.error()));
  const Caller& caller = request.caller;
  std::vector<core::Run> runs;
  Outcome outcome;
  if (bulk->filter) {
    auto matching = MatchingRuns(store_, *bulk->filter, caller);
    if (!matching) return respond(ProblemResponse(matching.error()));
    runs = std::move(matching).value();
  } else {
    for (const std::int64_t id : bulk->ids) {
      auto run = store_.GetRun(id);
      if (run && !caller.all_namespaces && !VisibleJob(store_, caller, run->job_id)) run = store::RunNotFound(id);
      if (run) {
        runs.push_back(std::move(run).value());
      } else if (!Record(outcome, id, run.error())) {
        return respond(ProblemResponse(run.error()));
      }
    }
  }
  if (bulk->dry_run || *dry_run) {
    for (const core::Run& run : runs) {
      const bool ends = core::IsTerminal(run.state) || run.cancel_requested_at;
      (ends ? outcome.unchanged : outcome.changed).push_back(run.id);
    }
    return respond(JsonResponse(200, EncodeBulkOutcome(outcome)));
  }
  auto state = std::make_shared<Batches>();
  for (const core::Run& run : runs) state->ids.push_back(run.id);
  state->total = std::move(outcome);  // ids that were not found
  std::optional<std::string> only_namespace;
  if (!caller.all_namespaces) only_namespace = caller.home_namespace;
  state->apply = [&store = store_, &clock = clock_, only_namespace](std::vector<std::int64_t> batch,
                                                                    OutcomeCallback done) {
    store.CancelRuns(std::move(batch), clock.Now(), only_namespace, std::move(done));
  };
  if (on_cancel_requested_) {
    state->after_each = [notify = on_cancel_requested_](const Outcome& batch) {
      for (const core::RunId id : batch.stopping) notify(id);
    };
  }
  state->respond = std::move(respond);
  ApplyNext(state);
}

}  // namespace jobsched::api
