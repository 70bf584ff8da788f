#include "core/zoned_time.hpp"

#include <date/tz.h>

#include <cstdlib>

namespace jobsched::core {
namespace {

Result<const date::time_zone*> LocateZone(std::string_view zone, std::string_view field) {
  try {
    return date::locate_zone(std::string(zone));
  } catch (const std::exception&) {
    return Error::InvalidArgument(std::string(field), std::string(field) + ": unknown time zone '" +
                                                          std::string(zone.substr(0, 64)) +
                                                          "'; use an IANA name such as Europe/Berlin");
  }
}

void AppendTwoDigits(std::string& out, long long value) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

}  // namespace

Result<std::string> FormatRfc3339InZone(TimePoint t, std::string_view zone, std::string_view field) {
  auto located = LocateZone(zone, field);
  if (!located) return located.error();
  const date::sys_info info = (*located)->get_info(t);
  // The wall clock is the UTC instant moved by the offset: formatting that
  // instant as UTC and replacing its "Z" gives the local text.
  const TimePoint wall = t + std::chrono::duration_cast<Milliseconds>(info.offset);
  std::string out = FormatRfc3339(wall);
  out.pop_back();  // the 'Z'
  const long long offset_minutes = std::chrono::duration_cast<std::chrono::minutes>(info.offset).count();
  out += offset_minutes < 0 ? '-' : '+';
  const long long magnitude = std::llabs(offset_minutes);
  AppendTwoDigits(out, magnitude / 60);
  out += ':';
  AppendTwoDigits(out, magnitude % 60);
  return out;
}

Result<void> CheckTimeZone(std::string_view zone, std::string_view field) {
  auto located = LocateZone(zone, field);
  if (!located) return located.error();
  return Ok();
}

}  // namespace jobsched::core
