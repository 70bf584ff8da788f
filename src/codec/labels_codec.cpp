#include "codec/labels_codec.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace jobsched::codec {
namespace {

namespace json = boost::json;

void AppendQuoted(std::string& out, const std::string& text) {
  out += json::serialize(json::string_view(text.data(), text.size()));
}

}  // namespace

core::Result<core::Labels> DecodeLabels(std::string_view text) {
  if (text == "{}") return core::Labels{};  // most jobs' (every stored job is read through here)
  json::error_code error;
  const json::value document = json::parse(json::string_view(text.data(), text.size()), error);
  if (error || !document.is_object()) {
    return core::Error::InvalidArgument("labels", "labels: must be an object such as {\"team\": \"payments\"}");
  }
  core::Labels labels;
  for (const auto& member : document.as_object()) {
    std::string key(member.key().data(), member.key().size());
    if (!member.value().is_string()) {
      const std::string field = "labels." + key.substr(0, 64);
      return core::Error::InvalidArgument(field, field + ": must be a string (\"\" for a label without a value)");
    }
    const json::string& value = member.value().as_string();
    labels[std::move(key)] = std::string(value.data(), value.size());
  }
  return labels;
}

std::string EncodeLabels(const core::Labels& labels) {
  std::string out;
  AppendLabels(out, labels);
  return out;
}

void AppendLabels(std::string& out, const core::Labels& labels) {
  out += '{';
  bool first = true;
  for (const auto& [key, value] : labels) {
    if (!first) out += ',';
    first = false;
    AppendQuoted(out, key);
    out += ':';
    AppendQuoted(out, value);
  }
  out += '}';
}

}  // namespace jobsched::codec
