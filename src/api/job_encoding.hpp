#pragma once

#include "store/job_snapshot.hpp"

namespace jobsched::api {

// The job's JSON body and ETag as GET /jobs/{id} answers them: encoded on the snapshot's first
// use and kept with it (store::JobSnapshot), so every later GET, and every list page that shows
// the same snapshot, copies bytes instead of encoding.
const store::EncodedJob& EncodedFormOf(const store::JobSnapshot& snapshot);

}  // namespace jobsched::api
