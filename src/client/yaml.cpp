#include "client/yaml.hpp"

#include <regex>

#include <yaml-cpp/yaml.h>

#include "client/json_text.hpp"

namespace jobsched::client {
namespace {

namespace json = boost::json;

// YAML 1.2 core schema, for plain scalars only.
const std::regex kNull("^(~|null|Null|NULL)?$");
const std::regex kBool("^(true|True|TRUE|false|False|FALSE)$");
const std::regex kInteger("^[-+]?[0-9]+$");
const std::regex kFloat("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
// What other readers (PyYAML's 1.1 rules) would take for something else.
const std::regex kAmbiguous(
    "^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?\\.(inf|Inf|INF|nan|NaN|NAN)|0x[0-9a-fA-F]+|0o[0-7]+|"
    "[0-9][0-9:_.+-]*|[0-9]{4}-[0-9]{2}-[0-9]{2}([Tt ].*)?)$");

json::value PlainScalar(const std::string& text) {
  if (std::regex_match(text, kNull)) return nullptr;
  if (std::regex_match(text, kBool)) return text[0] == 't' || text[0] == 'T';
  if (std::regex_match(text, kInteger)) {
    try {
      return static_cast<std::int64_t>(std::stoll(text));
    } catch (const std::out_of_range&) {
      return json::string(text);  // too large for an integer: kept as written
    }
  }
  if (std::regex_match(text, kFloat)) return std::stod(text);
  return json::string(text);
}

core::Error Located(const YAML::Mark& mark, const std::string& message) {
  return core::Error::InvalidArgument(
      "", "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) + ": " + message);
}

core::Result<json::value> Convert(const YAML::Node& node, const std::string& pointer, YamlDocument& document) {
  if (node.Mark().line >= 0) document.lines[pointer] = node.Mark().line + 1;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null: return json::value(nullptr);
    case YAML::NodeType::Scalar:
      return node.Tag() == "?" ? PlainScalar(node.Scalar()) : json::value(json::string(node.Scalar()));
    case YAML::NodeType::Sequence: {
      json::array array;
      for (std::size_t i = 0; i < node.size(); ++i) {
        auto item = Convert(node[i], JsonPointerChild(pointer, std::to_string(i)), document);
        if (!item) return item.error();
        array.emplace_back(std::move(item).value());
      }
      return json::value(std::move(array));
    }
    case YAML::NodeType::Map: {
      json::object object;
      for (const auto& member : node) {
        if (!member.first.IsScalar()) return Located(member.first.Mark(), "a mapping key must be a plain value");
        const std::string key = member.first.Scalar();
        const std::string child = JsonPointerChild(pointer, key);
        auto value = Convert(member.second, child, document);
        if (!value) return value.error();
        // A member is where its key is ("task:"), not where a block value starts.
        if (member.first.Mark().line >= 0) document.lines[child] = member.first.Mark().line + 1;
        object[key] = std::move(value).value();
      }
      return json::value(std::move(object));
    }
  }
  return json::value(nullptr);
}

bool NeedsQuotes(const std::string& text) {
  return text.empty() || std::regex_match(text, kNull) || std::regex_match(text, kBool) ||
         std::regex_match(text, kInteger) || std::regex_match(text, kFloat) || std::regex_match(text, kAmbiguous) ||
         text.front() == ' ' || text.back() == ' ';
}

void Emit(YAML::Emitter& out, const json::value& value) {
  switch (value.kind()) {
    case json::kind::null: out << YAML::Null; break;
    case json::kind::bool_: out << (value.get_bool() ? "true" : "false"); break;
    case json::kind::int64: out << std::to_string(value.get_int64()); break;
    case json::kind::uint64: out << std::to_string(value.get_uint64()); break;
    case json::kind::double_: out << ShortestNumber(value.get_double()); break;
    case json::kind::string: {
      const std::string text(value.get_string());
      if (text.find('\n') != std::string::npos) {
        out << YAML::Literal << text;
      } else if (NeedsQuotes(text)) {
        out << YAML::DoubleQuoted << text;
      } else {
        out << text;
      }
      break;
    }
    case json::kind::array:
      out << YAML::BeginSeq;
      for (const json::value& item : value.get_array()) Emit(out, item);
      out << YAML::EndSeq;
      break;
    case json::kind::object:
      out << YAML::BeginMap;
      for (const auto& [key, member] : value.get_object()) {
        out << YAML::Key << std::string(key) << YAML::Value;
        Emit(out, member);
      }
      out << YAML::EndMap;
      break;
  }
}

}  // namespace

std::string JsonPointerChild(const std::string& parent, std::string_view member) {
  std::string out = parent + "/";
  for (const char c : member) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

core::Result<std::vector<YamlDocument>> ParseYaml(std::string_view text) {
  std::vector<YAML::Node> nodes;
  try {
    nodes = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    return Located(error.mark, error.msg);
  }
  std::vector<YamlDocument> documents;
  for (const YAML::Node& node : nodes) {
    YamlDocument document;
    auto value = Convert(node, "", document);
    if (!value) return value.error();
    document.value = std::move(value).value();
    documents.push_back(std::move(document));
  }
  return documents;
}

std::string ToYaml(const boost::json::value& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  Emit(out, value);
  std::string text = out.c_str();
  if (text.empty() || text.back() != '\n') text += '\n';
  return text;
}

}  // namespace jobsched::client
