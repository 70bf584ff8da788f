#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

namespace jobsched::core {

// Levenshtein distance: insertions, deletions and substitutions, one each.
std::size_t EditDistance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is a near miss (fewer than three
// edits away), for "did you mean ...?"; empty otherwise. `spelling` gives
// each candidate's text.
template <typename Candidates, typename Spelling>
std::string_view ClosestSpelling(std::string_view word, const Candidates& candidates, Spelling spelling) {
  std::string_view closest;
  std::size_t best = 3;
  for (const auto& candidate : candidates) {
    // A view into the candidate itself: a spelling that built a string would leave `closest` dangling.
    static_assert(std::is_same_v<decltype(spelling(candidate)), std::string_view>,
                  "spelling must return a std::string_view into the candidate");
    const std::string_view text = spelling(candidate);
    const std::size_t distance = EditDistance(word, text);
    if (distance < best) {
      best = distance;
      closest = text;
    }
  }
  return closest;
}

}  // namespace jobsched::core
