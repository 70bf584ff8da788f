#include "client/json_text.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

void Append(std::string& out, const json::value& value, bool pretty, int depth);

void NewLine(std::string& out, bool pretty, int depth) {
  if (!pretty) return;
  out += '\n';
  out.append(static_cast<std::size_t>(depth) * 2, ' ');
}

void AppendObject(std::string& out, const json::object& object, bool pretty, int depth) {
  if (object.empty()) {
    out += "{}";
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [key, member] : object) {
    if (!first) out += ',';
    first = false;
    NewLine(out, pretty, depth + 1);
    out += json::serialize(json::string_view(key));
    out += pretty ? ": " : ":";
    Append(out, member, pretty, depth + 1);
  }
  NewLine(out, pretty, depth);
  out += '}';
}

void AppendArray(std::string& out, const json::array& array, bool pretty, int depth) {
  if (array.empty()) {
    out += "[]";
    return;
  }
  out += '[';
  bool first = true;
  for (const json::value& item : array) {
    if (!first) out += ',';
    first = false;
    NewLine(out, pretty, depth + 1);
    Append(out, item, pretty, depth + 1);
  }
  NewLine(out, pretty, depth);
  out += ']';
}

void Append(std::string& out, const json::value& value, bool pretty, int depth) {
  switch (value.kind()) {
    case json::kind::object: AppendObject(out, value.get_object(), pretty, depth); break;
    case json::kind::array: AppendArray(out, value.get_array(), pretty, depth); break;
    case json::kind::double_: out += ShortestNumber(value.get_double()); break;
    default: out += json::serialize(value); break;
  }
}

}  // namespace

std::string ShortestNumber(double number) {
  if (!std::isfinite(number)) return "null";  // JSON has no infinities
  char buffer[64];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, number);
  if (error != std::errc()) return json::serialize(json::value(number));
  return std::string(buffer, end);
}

std::string ToJsonText(const boost::json::value& value, bool pretty) {
  std::string out;
  Append(out, value, pretty, 0);
  return out;
}

}  // namespace jobsched::client
