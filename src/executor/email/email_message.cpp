#include "executor/email/email_message.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <utility>

namespace jobsched::executor::email {
namespace {

// RFC 5322: lines SHOULD stay within 78 characters and MUST within 998.
constexpr std::size_t kSoftLineLimit = 78;
constexpr std::size_t kHardLineLimit = 998;
// Bytes of subject per encoded word: 39 bytes are 52 base64 characters, so
// " =?UTF-8?B?...?=" stays well inside 78 even on the "Subject: " line.
constexpr std::size_t kEncodedWordBytes = 39;

bool IsPrintableAscii(char c) { return c >= 0x20 && c <= 0x7E; }

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

std::string Base64(std::string_view bytes) {
  static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t left = bytes.size() - i;
    std::uint32_t chunk = static_cast<unsigned char>(bytes[i]) << 16;
    if (left > 1) chunk |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    if (left > 2) chunk |= static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(chunk >> 18) & 0x3F];
    out += kAlphabet[(chunk >> 12) & 0x3F];
    out += left > 1 ? kAlphabet[(chunk >> 6) & 0x3F] : '=';
    out += left > 2 ? kAlphabet[chunk & 0x3F] : '=';
  }
  return out;
}

// Splits text into lines at CRLF, LF or CR. A final line break does not
// start another (empty) line.
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r' && text[i] != '\n') continue;
    lines.push_back(text.substr(start, i - start));
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back(text.substr(start));
  return lines;
}

// Joins `first` and the `pieces` (each starting with the white space or
// separator that precedes it) into a header, breaking lines before a piece
// when the line would pass 78 characters. Unfolding (removing the CRLFs)
// gives back the exact text.
std::string Fold(std::string first, const std::vector<std::string>& pieces) {
  std::string out = std::move(first);
  std::size_t line_length = out.size();
  for (const std::string& piece : pieces) {
    // A folded line that is only white space is forbidden, so such pieces stay.
    const bool only_space = piece.find_first_not_of(" \t") == std::string::npos;
    if (line_length + piece.size() > kSoftLineLimit && line_length > 0 && !only_space &&
        (piece.front() == ' ' || piece.front() == '\t')) {
      out += "\r\n";
      line_length = 0;
    }
    out += piece;
    line_length += piece.size();
  }
  return out;
}

bool LongestLineWithin(std::string_view text, std::size_t limit) {
  std::size_t line_length = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      line_length = 0;
      ++i;
    } else if (++line_length > limit) {
      return false;
    }
  }
  return true;
}

std::string FormatEncodedSubject(std::string_view subject) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (start < subject.size()) {
    std::size_t end = std::min(subject.size(), start + kEncodedWordBytes);
    // Never split a UTF-8 sequence across two words: decoders may decode each
    // word on its own (RFC 2047 section 5).
    while (end < subject.size() && end > start + 1 && IsContinuationByte(subject[end])) --end;
    words.push_back(" =?UTF-8?B?" + Base64(subject.substr(start, end - start)) + "?=");
    start = end;
  }
  if (words.empty()) return "Subject: ";
  return Fold("Subject:", words);
}

std::string FormatAddressHeader(std::string_view name, const std::vector<std::string>& addresses) {
  std::vector<std::string> pieces;
  for (std::size_t i = 0; i < addresses.size(); ++i) {
    pieces.push_back((i == 0 ? " " : ", ") + addresses[i]);
  }
  // Break after the comma: move it to the end of the previous piece so that
  // each piece starts with its space.
  for (std::size_t i = 1; i < pieces.size(); ++i) {
    pieces[i - 1] += ",";
    pieces[i].erase(0, 1);
  }
  return Fold(std::string(name) + ":", pieces);
}

bool NeedsEncoding(std::string_view body) {
  for (const char c : body) {
    if (!IsPrintableAscii(c) && c != '\t' && c != '\r' && c != '\n') return true;
  }
  for (std::string_view line : SplitLines(body)) {
    if (line.size() > kHardLineLimit) return true;
  }
  return false;
}

std::string WithCrlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (std::string_view line : SplitLines(text)) {
    out += line;
    out += "\r\n";
  }
  return out;
}

}  // namespace

std::string FormatSubjectHeader(std::string_view subject) {
  bool plain = subject.find("=?") == std::string_view::npos;
  for (const char c : subject) plain = plain && IsPrintableAscii(c);
  if (plain) {
    std::vector<std::string> pieces;
    std::size_t start = 0;
    // Each piece runs from one space to the next, so folding happens at spaces.
    for (std::size_t i = 1; i <= subject.size(); ++i) {
      if (i == subject.size() || subject[i] == ' ') {
        pieces.emplace_back(subject.substr(start, i - start));
        start = i;
      }
    }
    if (!pieces.empty()) pieces.front().insert(0, " ");
    std::string header = Fold("Subject:", pieces);
    if (pieces.empty()) header += " ";
    if (LongestLineWithin(header, kHardLineLimit)) return header;
  }
  return FormatEncodedSubject(subject);
}

std::string EncodeQuotedPrintable(std::string_view text) {
  static constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::string_view line : SplitLines(text)) {
    std::size_t line_length = 0;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      const bool last = i + 1 == line.size();
      std::string token;
      if ((c == ' ' || c == '\t') && !last) {
        token = c;
      } else if (c > ' ' && c <= '~' && c != '=') {
        token = c;
      } else {
        // Also white space at the end of a line, which transports may strip.
        const auto byte = static_cast<unsigned char>(c);
        token = {'=', kHex[byte >> 4], kHex[byte & 0x0F]};
      }
      if (line_length + token.size() > 75) {  // 75 plus the soft break's '=' is 76
        out += "=\r\n";
        line_length = 0;
      }
      out += token;
      line_length += token.size();
    }
    out += "\r\n";
  }
  return out;
}

std::string FormatRfc5322Date(core::TimePoint date) {
  static constexpr std::array<std::string_view, 7> kWeekdays{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto day = std::chrono::floor<std::chrono::days>(date);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::weekday weekday{day};
  const std::chrono::hh_mm_ss time{std::chrono::floor<std::chrono::seconds>(date - day)};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s, %02u %s %04d %02d:%02d:%02d +0000", kWeekdays[weekday.c_encoding()].data(),
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1].data(),
                static_cast<int>(ymd.year()), static_cast<int>(time.hours().count()),
                static_cast<int>(time.minutes().count()), static_cast<int>(time.seconds().count()));
  return buffer;
}

std::string_view AddressOf(std::string_view mailbox) {
  const std::size_t open = mailbox.rfind('<');
  const std::size_t close = mailbox.rfind('>');
  if (open != std::string_view::npos && close != std::string_view::npos && open < close) {
    return mailbox.substr(open + 1, close - open - 1);
  }
  const std::size_t first = mailbox.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const std::size_t last = mailbox.find_last_not_of(" \t");
  return mailbox.substr(first, last - first + 1);
}

std::string FormatEmailMessage(const EmailMessage& message) {
  std::string out;
  out += "From: " + message.from + "\r\n";
  out += FormatAddressHeader("To", message.to) + "\r\n";
  if (!message.cc.empty()) out += FormatAddressHeader("Cc", message.cc) + "\r\n";
  out += FormatSubjectHeader(message.subject) + "\r\n";
  out += "Date: " + FormatRfc5322Date(message.date) + "\r\n";
  out += "Message-ID: " + message.message_id + "\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  const bool encode = NeedsEncoding(message.body);
  out += std::string("Content-Transfer-Encoding: ") + (encode ? "quoted-printable" : "7bit") + "\r\n";
  out += "X-Jobsched-Run-Id: " + std::to_string(message.run_id) + "\r\n";
  out += "X-Jobsched-Job-Id: " + std::to_string(message.job_id) + "\r\n";
  out += "\r\n";
  out += encode ? EncodeQuotedPrintable(message.body) : WithCrlf(message.body);
  return out;
}

}  // namespace jobsched::executor::email
