#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/time.hpp"

namespace jobsched::executor::email {

// The parts of one outgoing message, already decided (sender chosen, ids set).
struct EmailMessage {
  std::string from;  // "jobs@example.com" or "Jobs <jobs@example.com>"
  std::vector<std::string> to;
  std::vector<std::string> cc;
  std::string subject;  // UTF-8, without line breaks
  std::string body;     // UTF-8; any line ending
  core::TimePoint date;
  std::string message_id;  // with its angle brackets
  std::int64_t run_id = 0;
  std::int64_t job_id = 0;
};

// The RFC 5322 text of `message`: From, To, Cc, Subject (RFC 2047 encoded when
// not plain ASCII), Date, Message-ID, MIME headers, X-Jobsched-Run-Id and
// X-Jobsched-Job-Id, then the body. CRLF line endings and 7-bit clean: a
// body that is not plain ASCII with short lines goes out quoted-printable, so
// no server needs 8BITMIME. SMTP dot-stuffing is left to the sender (curl).
std::string FormatEmailMessage(const EmailMessage& message);

// "Subject: <value>" folded into lines of at most 78 characters; RFC 2047
// "=?UTF-8?B?...?=" words when the value is not printable ASCII or could be
// mistaken for an encoded word. No trailing CRLF.
std::string FormatSubjectHeader(std::string_view subject);

// Quoted-printable (RFC 2045) of UTF-8 text with CRLF line breaks, lines of at
// most 76 characters.
std::string EncodeQuotedPrintable(std::string_view text);

// "Tue, 03 Mar 2026 10:00:00 +0000".
std::string FormatRfc5322Date(core::TimePoint date);

// The bare address of a mailbox: "a@b" for both "a@b" and "Name <a@b>".
std::string_view AddressOf(std::string_view mailbox);

}  // namespace jobsched::executor::email
