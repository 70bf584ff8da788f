#include "client/job_flags.hpp"

#include <boost/json/parse.hpp>

namespace jobsched::client {
namespace {

namespace json = boost::json;

void Put(json::object& body, const char* member, const std::optional<std::string>& value) {
  if (value) body[member] = *value;
}

core::Result<json::object> HttpTask(const JobFlags& flags) {
  json::object task{{"type", "http"}, {"url", *flags.http_url}};
  Put(task, "method", flags.http_method);
  Put(task, "body", flags.http_body);
  if (flags.http_expect_status) task["expect_status"] = *flags.http_expect_status;
  if (!flags.http_headers.empty()) {
    json::object headers;
    for (const std::string& header : flags.http_headers) {
      const std::size_t colon = header.find(':');
      if (colon == std::string::npos || colon == 0) {
        return core::Error::InvalidArgument("--http-header",
                                            "--http-header: '" + header.substr(0, 64) + "' is not 'Name: value'");
      }
      std::string value = header.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      headers[header.substr(0, colon)] = value;
    }
    task["headers"] = std::move(headers);
  }
  return task;
}

json::object EmailTask(const JobFlags& flags) {
  json::array to;
  for (const std::string& address : flags.email_to) to.emplace_back(address);
  json::object task{{"type", "email"}, {"to", std::move(to)}};
  Put(task, "subject", flags.email_subject);
  Put(task, "body", flags.email_body);
  return task;
}

core::Result<std::optional<json::object>> TaskFromFlags(const JobFlags& flags) {
  const int kinds = (flags.task_json ? 1 : 0) + (flags.http_url ? 1 : 0) + (!flags.email_to.empty() ? 1 : 0) +
                    (flags.compute ? 1 : 0) + (!flags.shell_command.empty() ? 1 : 0) + (flags.noop ? 1 : 0);
  if (kinds > 1) {
    return core::Error::InvalidArgument("--task",
                                        "a job has one task: give one of --task, --http-url, --email-to, "
                                        "--compute, --shell-command, --noop");
  }
  if (flags.task_json) {
    json::error_code error;
    json::value task = json::parse(*flags.task_json, error);
    if (error || !task.is_object()) {
      return core::Error::InvalidArgument("--task", "--task: must be a JSON object such as {\"type\": \"noop\"}");
    }
    return std::optional<json::object>(task.get_object());
  }
  if (flags.http_url) {
    auto task = HttpTask(flags);
    if (!task) return task.error();
    return std::optional<json::object>(std::move(task).value());
  }
  if (!flags.email_to.empty()) return std::optional<json::object>(EmailTask(flags));
  if (flags.compute) {
    json::object task{{"type", "compute"}, {"function", *flags.compute}};
    if (flags.compute_n) task["n"] = *flags.compute_n;
    return std::optional<json::object>(std::move(task));
  }
  if (!flags.shell_command.empty()) {
    json::array command;
    for (const std::string& arg : flags.shell_command) command.emplace_back(arg);
    return std::optional<json::object>(json::object{{"type", "shell"}, {"command", std::move(command)}});
  }
  if (flags.noop) return std::optional<json::object>(json::object{{"type", "noop"}});
  return std::optional<json::object>();
}

}  // namespace

core::Result<json::object> JobBodyFromFlags(const JobFlags& flags) {
  json::object body;
  Put(body, "name", flags.name);
  Put(body, "namespace", flags.namespace_name);
  Put(body, "interval", flags.interval);
  Put(body, "every", flags.every);
  Put(body, "cron", flags.cron);
  Put(body, "timezone", flags.timezone);
  Put(body, "at", flags.at);
  Put(body, "start_at", flags.start_at);
  Put(body, "end_at", flags.end_at);
  Put(body, "timeout", flags.timeout);
  Put(body, "misfire", flags.misfire);
  Put(body, "catchup_window", flags.catchup_window);
  Put(body, "overlap", flags.overlap);
  Put(body, "jitter", flags.jitter);
  if (flags.paused) body["is_active"] = false;
  if (flags.max_attempts) body["retry"] = json::object{{"max_attempts", *flags.max_attempts}};
  if (!flags.labels.empty()) {
    json::object labels;
    for (const std::string& label : flags.labels) {
      const std::size_t equals = label.find('=');
      if (equals == std::string::npos) {
        return core::Error::InvalidArgument(
            "--label", "--label: '" + label.substr(0, 64) + "' is not key=value (key= for an empty value)");
      }
      labels[label.substr(0, equals)] = label.substr(equals + 1);
    }
    body["labels"] = std::move(labels);
  }
  auto task = TaskFromFlags(flags);
  if (!task) return task.error();
  if (*task) body["task"] = std::move(**task);
  return body;
}

}  // namespace jobsched::client
