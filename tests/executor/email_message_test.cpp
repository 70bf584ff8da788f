#include "executor/email/email_message.hpp"

#include <gtest/gtest.h>

#include "testing/time_literals.hpp"

namespace jobsched::executor::email {
namespace {

using jobsched::testing::At;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t end; (end = text.find("\r\n", start)) != std::string::npos; start = end + 2) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

EmailMessage Message() {
  EmailMessage message;
  message.from = "Jobs <jobs@example.com>";
  message.to = {"a@example.com", "b@example.com"};
  message.cc = {"c@example.com"};
  message.subject = "Daily report";
  message.body = "Hello,\nall is well.\n";
  message.date = At("2026-03-03T10:00:00Z");
  message.message_id = "<jobsched.7.42@example.com>";
  message.run_id = 42;
  message.job_id = 7;
  return message;
}

TEST(FormatEmailMessage, WritesTheHeadersThenTheBodyWithCrlf) {
  const std::string text = FormatEmailMessage(Message());

  EXPECT_EQ(text,
            "From: Jobs <jobs@example.com>\r\n"
            "To: a@example.com, b@example.com\r\n"
            "Cc: c@example.com\r\n"
            "Subject: Daily report\r\n"
            "Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n"
            "Message-ID: <jobsched.7.42@example.com>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n"
            "X-Jobsched-Run-Id: 42\r\n"
            "X-Jobsched-Job-Id: 7\r\n"
            "\r\n"
            "Hello,\r\n"
            "all is well.\r\n");
}

TEST(FormatEmailMessage, LeavesOutCcWhenThereIsNone) {
  EmailMessage message = Message();
  message.cc.clear();

  EXPECT_EQ(FormatEmailMessage(message).find("Cc:"), std::string::npos);
}

TEST(FormatEmailMessage, SendsNonAsciiBodiesQuotedPrintable) {
  EmailMessage message = Message();
  message.body = "Caf\xC3\xA9 = open\r\n";

  const std::string text = FormatEmailMessage(message);

  EXPECT_NE(text.find("Content-Transfer-Encoding: quoted-printable\r\n"), std::string::npos);
  EXPECT_NE(text.find("\r\n\r\nCaf=C3=A9 =3D open\r\n"), std::string::npos);
}

TEST(FormatEmailMessage, KeepsEveryLineWithinLimitsAndSevenBit) {
  EmailMessage message = Message();
  message.to.assign(30, "someone.with.a.long.name@example.com");
  message.subject = std::string(300, 'x') + " \xE2\x9C\x93";
  message.body = std::string(5000, 'y') + "\n\xC3\xA9";

  const std::string text = FormatEmailMessage(message);

  for (const std::string& line : Lines(text)) {
    EXPECT_LE(line.size(), 78U) << line;
  }
  for (const char c : text) EXPECT_LT(static_cast<unsigned char>(c), 0x80);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);
}

TEST(FormatSubjectHeader, KeepsPlainAsciiAsIs) {
  EXPECT_EQ(FormatSubjectHeader("Daily report"), "Subject: Daily report");
}

TEST(FormatSubjectHeader, FoldsLongAsciiSubjectsAtSpaces) {
  const std::string subject = std::string(60, 'a') + " " + std::string(30, 'b');

  EXPECT_EQ(FormatSubjectHeader(subject), "Subject: " + std::string(60, 'a') + "\r\n " + std::string(30, 'b'));
}

TEST(FormatSubjectHeader, EncodesNonAsciiAsUtf8EncodedWords) {
  EXPECT_EQ(FormatSubjectHeader("R\xC3\xA9sum\xC3\xA9"), "Subject: =?UTF-8?B?UsOpc3Vtw6k=?=");
}

TEST(FormatSubjectHeader, EncodesTextThatLooksLikeAnEncodedWord) {
  EXPECT_EQ(FormatSubjectHeader("=?x?="), "Subject: =?UTF-8?B?PT94Pz0=?=");
}

TEST(FormatSubjectHeader, NeverSplitsACharacterAcrossEncodedWords) {
  std::string subject;
  for (int i = 0; i < 40; ++i) subject += "\xE2\x9C\x93";  // three bytes each

  const std::string header = FormatSubjectHeader(subject);

  // 39 bytes per word is 13 whole characters: 120 bytes make 4 words.
  EXPECT_EQ(Lines(header + "\r\n").size(), 4U);
}

TEST(EncodeQuotedPrintable, BreaksLongLinesSoftly) {
  const std::string encoded = EncodeQuotedPrintable(std::string(100, 'a'));

  EXPECT_EQ(encoded, std::string(75, 'a') + "=\r\n" + std::string(25, 'a') + "\r\n");
}

TEST(EncodeQuotedPrintable, EncodesTrailingWhiteSpace) {
  EXPECT_EQ(EncodeQuotedPrintable("end \nnext\t"), "end=20\r\nnext=09\r\n");
}

TEST(FormatRfc5322Date, UsesEnglishNamesAndUtc) {
  EXPECT_EQ(FormatRfc5322Date(At("2026-01-04T23:05:09.750Z")), "Sun, 04 Jan 2026 23:05:09 +0000");
}

TEST(AddressOf, TakesTheAddressOutOfANamedMailbox) {
  EXPECT_EQ(AddressOf("Jobs <jobs@example.com>"), "jobs@example.com");
  EXPECT_EQ(AddressOf(" jobs@example.com "), "jobs@example.com");
}

}  // namespace
}  // namespace jobsched::executor::email
