#include "core/label_selector.hpp"

#include <algorithm>

namespace jobsched::core {
namespace {

using Operator = LabelRequirement::Operator;

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && IsBlank(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsBlank(text.back())) text.remove_suffix(1);
  return text;
}

// The requirements of `text`: split at the commas outside parentheses.
std::vector<std::string_view> SplitRequirements(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '(') ++depth;
    if (text[i] == ')' && depth > 0) --depth;
    if (text[i] == ',' && depth == 0) {
      parts.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  parts.push_back(text.substr(start));
  return parts;
}

// Parses what follows a key and the blanks after it: "in (a,b)" or "notin (a,b)".
Result<void> ParseSet(std::string_view rest, LabelRequirement& requirement, const std::string& field,
                      const std::string& part) {
  auto fail = [&](const std::string& problem) {
    return Error::InvalidArgument(field, field + ": '" + part + "': " + problem);
  };
  std::string_view word = rest.substr(0, rest.find_first_of(" \t("));
  if (word == "in") {
    requirement.op = Operator::kIn;
  } else if (word == "notin") {
    requirement.op = Operator::kNotIn;
  } else {
    return fail("expected =, ==, !=, in or notin after the key");
  }
  rest = Trim(rest.substr(word.size()));
  if (rest.empty() || rest.front() != '(' || rest.back() != ')') {
    return fail("a set is written in parentheses, as in 'tier in (web,batch)'");
  }
  const std::string_view inside = rest.substr(1, rest.size() - 2);
  if (inside.find_first_of("()") != std::string_view::npos) return fail("sets do not nest");
  std::size_t start = 0;
  while (start <= inside.size()) {
    const std::size_t comma = std::min(inside.find(',', start), inside.size());
    const std::string_view value = Trim(inside.substr(start, comma - start));
    if (auto valid = ValidateLabelValue(value, field); !valid)
      return fail(valid.error().message.substr(field.size() + 2));
    requirement.values.emplace_back(value);
    start = comma + 1;
  }
  if (requirement.values.size() > kMaxLabelSetValues) {
    return fail("at most " + std::to_string(kMaxLabelSetValues) + " values in a set");
  }
  return Ok();
}

Result<LabelRequirement> ParseRequirement(std::string_view text, const std::string& field) {
  const std::string part(Trim(text).substr(0, 128));
  auto fail = [&](const std::string& problem) {
    return Error::InvalidArgument(field, field + ": '" + part + "': " + problem);
  };
  std::string_view rest = Trim(text);
  if (rest.empty()) return fail("empty requirement (two commas in a row, or one at an end?)");
  LabelRequirement requirement;
  if (rest.front() == '!' && rest.find('=') == std::string_view::npos) {
    requirement.op = Operator::kNotExists;
    rest = Trim(rest.substr(1));
  }
  const std::size_t end = rest.find_first_of("=! \t(");
  requirement.key = std::string(rest.substr(0, end));
  if (auto valid = ValidateLabelKey(requirement.key, field); !valid) {
    return fail(valid.error().message.substr(field.size() + 2));
  }
  if (end == std::string_view::npos) return requirement;
  if (requirement.op == Operator::kNotExists) return fail("'!' takes a key alone, as in '!legacy'");
  rest = Trim(rest.substr(end));
  std::string_view value;
  if (rest.starts_with("==") || rest.starts_with("!=")) {
    requirement.op = rest.front() == '=' ? Operator::kEquals : Operator::kNotEquals;
    value = Trim(rest.substr(2));
  } else if (rest.starts_with("=")) {
    requirement.op = Operator::kEquals;
    value = Trim(rest.substr(1));
  } else {
    if (auto set = ParseSet(rest, requirement, field, part); !set) return set.error();
    return requirement;
  }
  if (auto valid = ValidateLabelValue(value, field); !valid)
    return fail(valid.error().message.substr(field.size() + 2));
  requirement.values.emplace_back(value);
  return requirement;
}

}  // namespace

Result<LabelSelector> ParseLabelSelector(std::string_view text, const std::string& field) {
  LabelSelector selector;
  for (const std::string_view part : SplitRequirements(text)) {
    auto requirement = ParseRequirement(part, field);
    if (!requirement) return requirement.error();
    selector.push_back(std::move(requirement).value());
  }
  if (selector.size() > kMaxLabelRequirements) {
    return Error::InvalidArgument(field, field + ": at most " + std::to_string(kMaxLabelRequirements) +
                                             " requirements, got " + std::to_string(selector.size()));
  }
  return selector;
}

bool Matches(const LabelSelector& selector, const Labels& labels) {
  return std::all_of(selector.begin(), selector.end(), [&labels](const LabelRequirement& requirement) {
    const auto found = labels.find(requirement.key);
    const bool has = found != labels.end();
    const bool in_set = has && std::find(requirement.values.begin(), requirement.values.end(), found->second) !=
                                   requirement.values.end();
    switch (requirement.op) {
      case Operator::kExists: return has;
      case Operator::kNotExists: return !has;
      case Operator::kEquals:
      case Operator::kIn: return in_set;
      case Operator::kNotEquals:
      case Operator::kNotIn: return !in_set;
    }
    return false;
  });
}

std::string FormatLabelSelector(const LabelSelector& selector) {
  std::string text;
  for (const LabelRequirement& requirement : selector) {
    if (!text.empty()) text += ',';
    switch (requirement.op) {
      case Operator::kExists: text += requirement.key; break;
      case Operator::kNotExists: text += "!" + requirement.key; break;
      case Operator::kEquals: text += requirement.key + "=" + requirement.values.front(); break;
      case Operator::kNotEquals: text += requirement.key + "!=" + requirement.values.front(); break;
      case Operator::kIn:
      case Operator::kNotIn: {
        text += requirement.key + (requirement.op == Operator::kIn ? " in (" : " notin (");
        for (std::size_t i = 0; i < requirement.values.size(); ++i) text += (i > 0 ? "," : "") + requirement.values[i];
        text += ')';
        break;
      }
    }
  }
  return text;
}

}  // namespace jobsched::core
