#include "codec/task_codec.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/duration.hpp"

namespace jobsched::codec {
namespace {

namespace json = boost::json;
using core::Error;

std::string_view View(const json::string& text) { return {text.data(), text.size()}; }

Error WrongType(const std::string& field, std::string_view expected) {
  return Error::InvalidArgument(field, field + ": must be " + std::string(expected));
}

Error UnknownMember(std::string_view type, std::string_view key) {
  const std::string field = "task." + std::string(key.substr(0, 64));
  return Error::InvalidArgument(field, field + ": unknown field for a " + std::string(type) + " task");
}

core::Result<std::string> GetString(const json::value& value, const std::string& field) {
  if (!value.is_string()) return WrongType(field, "a string");
  return std::string(View(value.as_string()));
}

core::Result<std::vector<std::string>> GetStringList(const json::value& value, const std::string& field) {
  // A single address is accepted where a list is expected: "to": "a@b.c".
  if (value.is_string()) return std::vector<std::string>{std::string(View(value.as_string()))};
  if (!value.is_array()) return WrongType(field, "a list of strings");
  std::vector<std::string> items;
  for (std::size_t i = 0; i < value.as_array().size(); ++i) {
    auto item = GetString(value.as_array()[i], field + "[" + std::to_string(i) + "]");
    if (!item) return item.error();
    items.push_back(std::move(item).value());
  }
  return items;
}

// An optional string member: null leaves it unset.
core::Result<void> ReadOptionalString(const json::value& value, const std::string& field,
                                      std::optional<std::string>& out) {
  if (value.is_null()) return {};
  auto text = GetString(value, field);
  if (!text) return text.error();
  out = std::move(text).value();
  return {};
}

// A list of names (secret headers, secret variables): an array only, as a
// single name is more likely a mistake than a list of one.
core::Result<void> ReadNameList(const json::value& value, const std::string& field, std::string_view expected,
                                std::vector<std::string>& out) {
  if (!value.is_array()) return WrongType(field, expected);
  auto names = GetStringList(value, field);
  if (!names) return names.error();
  out = std::move(names).value();
  return {};
}

core::Result<core::Task> DecodeHttp(const json::object& object) {
  core::HttpTask task;
  bool has_content_type = false;
  bool json_body = false;
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    if (key == "type") continue;
    if (key == "url" || key == "method") {
      auto text = GetString(value, "task." + std::string(key));
      if (!text) return text.error();
      (key == "url" ? task.url : task.method) = std::move(text).value();
    } else if (key == "headers") {
      if (!value.is_object()) return WrongType("task.headers", "an object of header names to strings");
      for (const auto& header : value.as_object()) {
        const std::string name(header.key().data(), header.key().size());
        auto text = GetString(header.value(), "task.headers." + name);
        if (!text) return text.error();
        if (name.size() == 12 && (name[0] == 'C' || name[0] == 'c')) {
          std::string lower = name;
          for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          has_content_type = has_content_type || lower == "content-type";
        }
        task.headers.emplace_back(name, std::move(text).value());
      }
    } else if (key == "body") {
      if (value.is_string()) {
        task.body = std::string(View(value.as_string()));
      } else if (!value.is_null()) {
        task.body = json::serialize(value);
        json_body = true;
      }
    } else if (key == "timeout") {
      auto text = GetString(value, "task.timeout");
      if (!text) return text.error();
      auto timeout = core::ParseDuration(*text, "task.timeout");
      if (!timeout) return timeout.error();
      task.timeout = *timeout;
    } else if (key == "expect_status") {
      if (!value.is_int64()) return WrongType("task.expect_status", "an integer");
      task.expect_status = static_cast<int>(std::clamp<std::int64_t>(value.as_int64(), -1, 1000));
    } else if (key == "secret_headers") {
      auto read = ReadNameList(value, "task.secret_headers", "a list of header names", task.secret_headers);
      if (!read) return read.error();
    } else if (key == "signing_secret") {
      if (auto read = ReadOptionalString(value, "task.signing_secret", task.signing_secret); !read) return read.error();
    } else {
      return UnknownMember("http", key);
    }
  }
  if (task.url.empty() && !object.contains("url")) return Error::InvalidArgument("task.url", "task.url: required");
  if (json_body && !has_content_type) task.headers.emplace_back("Content-Type", "application/json");
  return core::Task{std::move(task)};
}

core::Result<core::Task> DecodeEmail(const json::object& object) {
  core::EmailTask task;
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    const std::string field = "task." + std::string(key);
    if (key == "type") continue;
    if (key == "to" || key == "cc") {
      auto list = GetStringList(value, field);
      if (!list) return list.error();
      (key == "to" ? task.to : task.cc) = std::move(list).value();
    } else if (key == "subject" || key == "body") {
      auto text = GetString(value, field);
      if (!text) return text.error();
      (key == "subject" ? task.subject : task.body) = std::move(text).value();
    } else if (key == "from") {
      if (auto read = ReadOptionalString(value, field, task.from); !read) return read.error();
    } else {
      return UnknownMember("email", key);
    }
  }
  return core::Task{std::move(task)};
}

core::Result<core::Task> DecodeCompute(const json::object& object) {
  core::ComputeTask task;
  bool has_function = false;
  bool has_n = false;
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    if (key == "type") continue;
    if (key == "function") {
      auto text = GetString(value, "task.function");
      if (!text) return text.error();
      auto kind = core::ParseComputeKind(*text);
      if (!kind) {
        return Error::InvalidArgument("task.function",
                                      "task.function: must be factorial_sum, prime_count or monte_carlo_pi");
      }
      task.kind = *kind;
      has_function = true;
    } else if (key == "n") {
      if (!value.is_int64() && !value.is_uint64()) return WrongType("task.n", "an integer");
      task.n = value.is_int64() ? value.as_int64() : INT64_MAX;
      has_n = true;
    } else {
      return UnknownMember("compute", key);
    }
  }
  if (!has_function) return Error::InvalidArgument("task.function", "task.function: required");
  if (!has_n) return Error::InvalidArgument("task.n", "task.n: required");
  return core::Task{task};
}

core::Result<core::Task> DecodeShell(const json::object& object) {
  core::ShellTask task;
  bool has_command = false;
  for (const auto& member : object) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    if (key == "type") continue;
    if (key == "command") {
      // A string would invite "backup --all" and its word splitting: argv only.
      if (!value.is_array()) return WrongType("task.command", "a list of strings: the program and its arguments");
      auto command = GetStringList(value, "task.command");
      if (!command) return command.error();
      task.command = std::move(command).value();
      has_command = true;
    } else if (key == "env") {
      if (value.is_null()) continue;
      if (!value.is_object()) return WrongType("task.env", "an object of variable names to strings");
      for (const auto& variable : value.as_object()) {
        const std::string name(variable.key().data(), variable.key().size());
        auto text = GetString(variable.value(), "task.env." + name.substr(0, 64));
        if (!text) return text.error();
        task.env.emplace_back(name, std::move(text).value());
      }
    } else if (key == "secret_env") {
      auto read = ReadNameList(value, "task.secret_env", "a list of variable names", task.secret_env);
      if (!read) return read.error();
    } else if (key == "working_dir") {
      if (auto read = ReadOptionalString(value, "task.working_dir", task.working_dir); !read) return read.error();
    } else {
      return UnknownMember("shell", key);
    }
  }
  if (!has_command) return Error::InvalidArgument("task.command", "task.command: required");
  return core::Task{std::move(task)};
}

json::object EncodeObject(const core::Task& task, bool redact) {
  json::object out;
  out["type"] = core::TaskTypeName(task);
  if (const auto* http = std::get_if<core::HttpTask>(&task)) {
    out["method"] = http->method;
    out["url"] = http->url;
    json::object headers;
    for (const auto& [name, value] : http->headers) {
      headers[name] = redact && core::IsSecretHeader(*http, name) ? core::kRedacted : std::string_view(value);
    }
    out["headers"] = std::move(headers);
    out["body"] = http->body;
    if (http->timeout) out["timeout"] = core::FormatDuration(*http->timeout);
    if (http->expect_status) out["expect_status"] = *http->expect_status;
    if (!http->secret_headers.empty()) {
      out["secret_headers"] = json::array(http->secret_headers.begin(), http->secret_headers.end());
    }
    if (http->signing_secret)
      out["signing_secret"] = redact ? core::kRedacted : std::string_view(*http->signing_secret);
  } else if (const auto* email = std::get_if<core::EmailTask>(&task)) {
    json::array to(email->to.begin(), email->to.end());
    json::array cc(email->cc.begin(), email->cc.end());
    out["to"] = std::move(to);
    out["cc"] = std::move(cc);
    out["subject"] = email->subject;
    out["body"] = email->body;
    if (email->from) out["from"] = *email->from;
  } else if (const auto* compute = std::get_if<core::ComputeTask>(&task)) {
    out["function"] = core::ToString(compute->kind);
    out["n"] = compute->n;
  } else if (const auto* shell = std::get_if<core::ShellTask>(&task)) {
    out["command"] = json::array(shell->command.begin(), shell->command.end());
    json::object env;
    for (const auto& [name, value] : shell->env) {
      env[name] = redact && core::IsSecretEnv(*shell, name) ? core::kRedacted : std::string_view(value);
    }
    out["env"] = std::move(env);
    if (!shell->secret_env.empty()) out["secret_env"] = json::array(shell->secret_env.begin(), shell->secret_env.end());
    if (shell->working_dir) out["working_dir"] = *shell->working_dir;
  }
  return out;
}

}  // namespace

core::Result<core::Task> DecodeTask(std::string_view text) {
  json::error_code error;
  json::value document = json::parse(json::string_view(text.data(), text.size()), error);
  if (error) return Error::InvalidArgument("task", "task: not valid JSON: " + error.message());
  if (!document.is_object()) return WrongType("task", "a JSON object");
  const json::object& object = document.as_object();
  const json::value* type = object.if_contains("type");
  if (type == nullptr) {
    return Error::InvalidArgument("task.type", "task.type: required (noop, http, email, compute or shell)");
  }
  if (!type->is_string()) return WrongType("task.type", "a string");
  const std::string_view name = View(type->as_string());

  core::Result<core::Task> task = core::Task{core::NoopTask{}};
  if (name == "noop") {
    if (object.size() > 1) {
      for (const auto& member : object) {
        if (member.key() != "type")
          return UnknownMember("noop", std::string_view(member.key().data(), member.key().size()));
      }
    }
  } else if (name == "http") {
    task = DecodeHttp(object);
  } else if (name == "email") {
    task = DecodeEmail(object);
  } else if (name == "compute") {
    task = DecodeCompute(object);
  } else if (name == "shell") {
    task = DecodeShell(object);
  } else {
    return Error::InvalidArgument("task.type", "task.type: unknown type '" + std::string(name.substr(0, 32)) +
                                                   "'; expected noop, http, email, compute or shell");
  }
  if (!task) return task;
  if (auto valid = core::ValidateTask(*task); !valid) return valid.error();
  return task;
}

std::string EncodeTask(const core::Task& task) { return json::serialize(EncodeObject(task, false)); }

std::string EncodeTaskForApi(const core::Task& task) { return json::serialize(EncodeObject(task, true)); }

}  // namespace jobsched::codec
