#pragma once

#include "api/router.hpp"
#include "core/clock.hpp"
#include "store/job_store.hpp"

namespace jobsched::api {

// How long GET /stats serves an answer it computed (per window and
// namespace; longer for an answer that took long, see StatsCache): the
// staleness a console's overview may show, against one database read per
// few seconds however many consoles are open.
inline constexpr core::Milliseconds kStatsCacheTime{3000};

// GET /stats?window=1h|24h|7d&namespace=NS: the console's overview
// (decision 0008): jobs active and paused; runs finished in the window by
// state, queued and running now; a series of buckets (1 min, 15 min, 2 h)
// with runs, failures and the lateness percentiles; late, failing and
// due-soon counts. `window` defaults to 24h; another value is a 400 naming
// it. A key bound to a namespace sees that namespace only (another one asked
// for reads as empty); other callers see all, or `namespace` alone.
// `store` and `clock` must outlive the router.
void RegisterStatsHandler(Router& router, store::JobStore& store, const core::Clock& clock);

}  // namespace jobsched::api
