#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/labels.hpp"
#include "core/result.hpp"

namespace jobsched::core {

// One requirement of a label selector, as Kubernetes spells them:
//   key=value, key==value   the job has the label with this value
//   key!=value              the job lacks the label, or has another value
//   key                     the job has the label (any value)
//   !key                    the job lacks the label
//   key in (v1,v2)          the job has the label with one of these values
//   key notin (v1,v2)       the job lacks the label, or has none of these values
struct LabelRequirement {
  enum class Operator { kEquals, kNotEquals, kExists, kNotExists, kIn, kNotIn };
  std::string key;
  Operator op = Operator::kExists;
  std::vector<std::string> values;  // one for (not) equals, one or more for (not)in, none otherwise

  bool operator==(const LabelRequirement&) const = default;
};

// Requirements that must all hold (a comma between them means AND).
using LabelSelector = std::vector<LabelRequirement>;

constexpr std::size_t kMaxLabelRequirements = 32;  // per selector, all `label` parameters together
constexpr std::size_t kMaxLabelSetValues = 64;     // values of one in / notin

// Parses a selector such as "team=payments,tier!=batch,!legacy". Blanks
// around keys, operators and values are ignored. Fails with
// kInvalidArgument, field `field`, quoting the requirement at fault and what
// is wrong with it (an empty requirement, a bad key or value as
// ValidateLabelKey/Value judge them, an unknown operator, an unclosed set).
Result<LabelSelector> ParseLabelSelector(std::string_view text, const std::string& field = "label");

// Whether `labels` meet every requirement of `selector`.
bool Matches(const LabelSelector& selector, const Labels& labels);

// The selector written back in the syntax above (normalised: no blanks, `=`).
std::string FormatLabelSelector(const LabelSelector& selector);

}  // namespace jobsched::core
