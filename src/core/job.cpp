#include "core/job.hpp"

namespace jobsched::core {

std::string_view ToString(MisfirePolicy policy) {
  switch (policy) {
    case MisfirePolicy::kRunOnce: return "run_once";
    case MisfirePolicy::kSkip: return "skip";
    case MisfirePolicy::kRunAll: return "run_all";
  }
  return "run_once";
}

std::optional<MisfirePolicy> ParseMisfirePolicy(std::string_view text) {
  if (text == "run_once") return MisfirePolicy::kRunOnce;
  if (text == "skip") return MisfirePolicy::kSkip;
  if (text == "run_all") return MisfirePolicy::kRunAll;
  return std::nullopt;
}

}  // namespace jobsched::core
