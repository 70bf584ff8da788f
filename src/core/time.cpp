#include "core/time.hpp"

namespace jobsched::core {
namespace {

// Reads exactly `digits` decimal digits at `pos`; advances pos.
bool ReadDigits(std::string_view text, std::size_t& pos, int digits, int& out) {
  if (pos + static_cast<std::size_t>(digits) > text.size()) return false;
  int value = 0;
  for (int i = 0; i < digits; ++i) {
    char c = text[pos + static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(digits);
  out = value;
  return true;
}

bool Expect(std::string_view text, std::size_t& pos, char wanted) {
  if (pos >= text.size() || text[pos] != wanted) return false;
  ++pos;
  return true;
}

}  // namespace

void AppendRfc3339(std::string& out, TimePoint t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss<Milliseconds> hms{t - day};
  // Written by hand rather than with snprintf: every job and run in every
  // response carries several of these, and printf parsing was a tenth of the
  // cost of GET /jobs/{id}.
  char buffer[24];
  auto put = [&buffer](std::size_t at, unsigned value, int digits) {
    for (int i = digits - 1; i >= 0; --i) {
      buffer[at + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
  };
  put(0, static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
  buffer[4] = '-';
  put(5, static_cast<unsigned>(ymd.month()), 2);
  buffer[7] = '-';
  put(8, static_cast<unsigned>(ymd.day()), 2);
  buffer[10] = 'T';
  put(11, static_cast<unsigned>(hms.hours().count()), 2);
  buffer[13] = ':';
  put(14, static_cast<unsigned>(hms.minutes().count()), 2);
  buffer[16] = ':';
  put(17, static_cast<unsigned>(hms.seconds().count()), 2);
  std::size_t length = 19;
  const auto ms = static_cast<unsigned>(hms.subseconds().count());
  if (ms != 0) {
    buffer[19] = '.';
    put(20, ms, 3);
    length = 23;
  }
  buffer[length++] = 'Z';
  out.append(buffer, length);
}

std::string FormatRfc3339(TimePoint t) {
  std::string out;
  AppendRfc3339(out, t);
  return out;
}

Result<TimePoint> ParseRfc3339(std::string_view text, std::string_view field) {
  using namespace std::chrono;
  auto fail = [&](const char* why) {
    return Error::InvalidArgument(std::string(field), std::string(field) + ": '" + std::string(text.substr(0, 64)) +
                                                          "' is not an RFC 3339 date-time (" + why +
                                                          "), e.g. 2026-03-29T09:00:00Z");
  };
  std::size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ReadDigits(text, pos, 4, year) || !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, month) ||
      !Expect(text, pos, '-') || !ReadDigits(text, pos, 2, day)) {
    return fail("bad date");
  }
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) {
    return fail("missing time");
  }
  ++pos;
  if (!ReadDigits(text, pos, 2, hour) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, minute) ||
      !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, second)) {
    return fail("bad time");
  }
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0 || digits > 9) return fail("bad fraction");
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    int offset_hours = 0, offset_mins = 0;
    if (!ReadDigits(text, pos, 2, offset_hours) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, offset_mins) ||
        offset_hours > 23 || offset_mins > 59) {
      return fail("bad offset");
    }
    offset_minutes = sign * (offset_hours * 60 + offset_mins);
  } else {
    return fail("missing Z or offset");
  }
  if (pos != text.size()) return fail("trailing characters");
  if (year < 1970) return fail("year before 1970");
  const year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                           std::chrono::day{static_cast<unsigned>(day)}};
  // Leap seconds (second 60) are not representable in Unix time; refused.
  if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return fail("no such date or time");
  const TimePoint local = sys_days{ymd} + hours{hour} + minutes{minute} + seconds{second} + Milliseconds{millis};
  return local - minutes{offset_minutes};
}

}  // namespace jobsched::core
