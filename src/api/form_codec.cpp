#include "api/form_codec.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string>

#include "api/json_codec.hpp"
#include "codec/task_codec.hpp"

namespace jobsched::api {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// urllib.parse.unquote_plus as Django used it: '+' is a space, %XX a byte,
// and anything else (a space, a lone '%') itself.
std::string UnquotePlus(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 && HexValue(text[i + 2]) >= 0) {
      out += static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// The form's fields, as Django's QueryDict gave them to the serializer: the
// last value of each name, blank ones dropped.
std::map<std::string, std::string, std::less<>> FormFields(std::string_view body) {
  std::map<std::string, std::string, std::less<>> fields;
  while (!body.empty()) {
    const std::size_t amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    const std::size_t equals = pair.find('=');
    const std::string name = UnquotePlus(pair.substr(0, equals));
    std::string value = equals == std::string_view::npos ? std::string() : UnquotePlus(pair.substr(equals + 1));
    if (name.empty()) continue;
    if (value.empty()) {
      fields.erase(name);
    } else {
      fields[name] = std::move(value);
    }
  }
  return fields;
}

// Django REST framework's BooleanField, without regard to case.
core::Result<bool> FormBoolean(const std::string& field, const std::string& text) {
  static constexpr std::array<std::string_view, 6> kTrue{"true", "t", "1", "on", "yes", "y"};
  static constexpr std::array<std::string_view, 6> kFalse{"false", "f", "0", "off", "no", "n"};
  std::string word = text;
  for (char& c : word) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (std::find(kTrue.begin(), kTrue.end(), word) != kTrue.end()) return true;
  if (std::find(kFalse.begin(), kFalse.end(), word) != kFalse.end()) return false;
  return core::Error::InvalidArgument(field, field +
                                                 ": must be true or false (a form also takes on/off, yes/no, "
                                                 "1/0), got '" +
                                                 text.substr(0, 32) + "'");
}

}  // namespace

core::Result<core::JobRequest> DecodeJobRequestForm(std::string_view body) {
  core::JobRequest request;
  for (const auto& [key, value] : FormFields(body)) {
    if (std::optional<std::string>* field = JobRequestStringField(request, key)) {
      *field = value;
    } else if (key == "is_active") {
      auto active = FormBoolean(key, value);
      if (!active) return active.error();
      request.is_active = *active;
    } else if (key == "task") {
      if (value.size() > kMaxTaskBytes) {
        return core::Error::InvalidArgument("task", "task: at most " + std::to_string(kMaxTaskBytes) + " bytes");
      }
      auto task = codec::DecodeTask(value);
      if (!task) return task.error();
      request.task = std::move(task).value();
    } else if (key == "last_run" || key == "next_run") {
      continue;  // read-only fields of the original: ignored
    } else {
      return UnknownJobField(key);
    }
  }
  return request;
}

}  // namespace jobsched::api
