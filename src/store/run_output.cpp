#include "store/run_output.hpp"

#include <string_view>

#include "core/run.hpp"
#include "core/utf8.hpp"

namespace jobsched::store {

std::string CapRunOutput(const std::string& raw) {
  std::string text = core::ToValidUtf8(raw);
  if (text.find('\0') != std::string::npos) {
    std::string without_nul;
    without_nul.reserve(text.size() + 8);
    for (const char c : text) {
      if (c == '\0') {
        without_nul += "\xEF\xBF\xBD";
      } else {
        without_nul += c;
      }
    }
    text = std::move(without_nul);
  }
  if (text.size() <= core::kMaxRunOutputBytes) return text;
  constexpr std::string_view kMarker = "\n[output cut at 64 KiB]";
  std::size_t cut = core::kMaxRunOutputBytes - kMarker.size();
  // Never cut inside a UTF-8 sequence: back up to a lead byte.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  text.resize(cut);
  text += kMarker;
  return text;
}

}  // namespace jobsched::store
