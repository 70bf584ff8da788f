#include "core/utf8.hpp"

namespace jobsched::core {
namespace {

// Length of the valid sequence starting at `at`, or 0 when it is invalid.
std::size_t ValidSequenceLength(std::string_view text, std::size_t at, char32_t* code_point) {
  const auto lead = static_cast<unsigned char>(text[at]);
  std::size_t length = 0;
  if (lead < 0x80) length = 1;
  else if ((lead >> 5) == 0x6) length = 2;
  else if ((lead >> 4) == 0xE) length = 3;
  else if ((lead >> 3) == 0x1E) length = 4;
  else return 0;
  if (at + length > text.size()) return 0;
  char32_t value = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) {
    const auto next = static_cast<unsigned char>(text[at + k]);
    if ((next >> 6) != 0x2) return 0;
    value = (value << 6) | (next & 0x3F);
  }
  constexpr char32_t kSmallest[] = {0, 0, 0x80, 0x800, 0x10000};
  if (value < kSmallest[length] || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  *code_point = value;
  return length;
}

}  // namespace

std::optional<std::vector<char32_t>> DecodeUtf8(std::string_view text) {
  std::vector<char32_t> code_points;
  code_points.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t code_point = 0;
    const std::size_t length = ValidSequenceLength(text, i, &code_point);
    if (length == 0) return std::nullopt;
    code_points.push_back(code_point);
    i += length;
  }
  return code_points;
}

std::string ToValidUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    char32_t ignored = 0;
    const std::size_t length = ValidSequenceLength(text, i, &ignored);
    if (length == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD REPLACEMENT CHARACTER
      ++i;
    } else {
      out.append(text.substr(i, length));
      i += length;
    }
  }
  return out;
}

}  // namespace jobsched::core
