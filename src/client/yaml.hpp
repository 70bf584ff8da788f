#pragma once

// YAML, read into and written from JSON values (yaml-cpp is compiled in
// yaml.cpp and nowhere else; its exceptions end there).

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "core/result.hpp"

namespace jobsched::client {

// One YAML document as a JSON value, with where each value was written.
struct YamlDocument {
  boost::json::value value;
  // JSON pointer ("/jobs/0/task/url", "" for the root) -> 1-based line.
  std::map<std::string, int> lines;
};

// The documents of `text` (several when separated by `---`; JSON is YAML
// too). Scalars follow YAML 1.2's core schema: a plain null/~ (or nothing)
// is null, true/false booleans, integers and floats numbers, everything
// else and every quoted scalar a string (so `no` stays the string "no").
// Aliases are resolved. Fails with kInvalidArgument, the message starting
// "line L, column C: ", on a syntax error or a mapping key that is not a
// scalar.
core::Result<std::vector<YamlDocument>> ParseYaml(std::string_view text);

// `value` as a YAML document (block style). A string that YAML would read
// as something else (true, 12, null, a date) is quoted, so what a YAML
// reader gets back is what was written; multi-line strings are literal
// blocks.
std::string ToYaml(const boost::json::value& value);

// The member of a JSON pointer: "/jobs/0" + "task" -> "/jobs/0/task".
std::string JsonPointerChild(const std::string& parent, std::string_view member);

}  // namespace jobsched::client
