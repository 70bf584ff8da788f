#include "telemetry/json_log_formatter.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>

#include <spdlog/details/log_msg.h>

#include "telemetry/log_context.hpp"

namespace jobsched::telemetry {
namespace {

void Append(spdlog::memory_buf_t& out, std::string_view text) { out.append(text.data(), text.data() + text.size()); }

// RFC 3339 UTC with milliseconds, as everywhere in the API.
void AppendTime(spdlog::memory_buf_t& out, spdlog::log_clock::time_point time) {
  const auto since_epoch = time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  const std::time_t t = seconds.count();
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  const int length =
      std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900, utc.tm_mon + 1,
                    utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, static_cast<int>(millis));
  Append(out, std::string_view(buffer, static_cast<std::size_t>(length)));
}

// A JSON string literal. Log messages may carry anything (a job name, an
// error from a server), so every control character is escaped.
void AppendJsonString(spdlog::memory_buf_t& out, std::string_view text) {
  out.push_back('"');
  for (const char c : text) {
    switch (c) {
      case '"': Append(out, "\\\""); break;
      case '\\': Append(out, "\\\\"); break;
      case '\n': Append(out, "\\n"); break;
      case '\r': Append(out, "\\r"); break;
      case '\t': Append(out, "\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          Append(out, escaped);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

std::string_view LevelName(spdlog::level::level_enum level) {
  const auto name = spdlog::level::to_string_view(level);
  return std::string_view(name.data(), name.size());
}

class JsonLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
    Append(out, "{\"time\":\"");
    AppendTime(out, message.time);
    Append(out, "\",\"level\":");
    AppendJsonString(out, LevelName(message.level));
    Append(out, ",\"message\":");
    AppendJsonString(out, std::string_view(message.payload.data(), message.payload.size()));
    if (!LogNodeId().empty()) {
      Append(out, ",\"node_id\":");
      AppendJsonString(out, LogNodeId());
    }
    for (const auto& [key, value] : LogContext::Current()) {
      out.push_back(',');
      AppendJsonString(out, key);
      out.push_back(':');
      AppendJsonString(out, value);
    }
    Append(out, "}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLogFormatter>(); }
};

class TextLogFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& message, spdlog::memory_buf_t& out) override {
    AppendTime(out, message.time);
    out.push_back(' ');
    Append(out, LevelName(message.level));
    out.push_back(' ');
    Append(out, std::string_view(message.payload.data(), message.payload.size()));
    for (const auto& [key, value] : LogContext::Current()) {
      out.push_back(' ');
      Append(out, key);
      out.push_back('=');
      Append(out, value);
    }
    out.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<TextLogFormatter>(); }
};

}  // namespace

std::unique_ptr<spdlog::formatter> MakeJsonLogFormatter() { return std::make_unique<JsonLogFormatter>(); }
std::unique_ptr<spdlog::formatter> MakeTextLogFormatter() { return std::make_unique<TextLogFormatter>(); }

}  // namespace jobsched::telemetry
