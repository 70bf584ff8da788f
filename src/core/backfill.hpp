#pragma once

#include <cstddef>
#include <vector>

#include "core/job.hpp"
#include "core/result.hpp"
#include "core/time.hpp"

namespace jobsched::core {

// At most this many occurrences per backfill request (POST /jobs/{id}/backfill).
constexpr std::size_t kMaxBackfillOccurrences = 10'000;

// The occurrences of `job`'s own schedule in the half-open range [from, to),
// oldest first: what a backfill of that range runs. Cron is evaluated in the
// job's time zone (a wall time skipped by a DST gap fires once right after
// it, a repeated one once at its first occurrence, as for normal firing);
// the schedule's window (start_at, end_at) holds. A one-shot job has its one
// instant when the range holds it. An `every` schedule without start_at is in
// phase with the job's next_run (else its last_run, else its creation), the
// phase its normal firing has now.
// Fails with kInvalidArgument, naming "from" when from is not before to,
// "to" when to is after `now` (a backfill is of the past) or when the range
// holds more than `limit` occurrences.
Result<std::vector<TimePoint>> BackfillOccurrences(const Job& job, TimePoint from, TimePoint to, TimePoint now,
                                                   std::size_t limit = kMaxBackfillOccurrences);

}  // namespace jobsched::core
