// ContentETag: the list's and the console's validators. Equal bodies get the
// same tag; a change of any byte, wherever it falls among the hash's lanes,
// its 8-byte tail words or its last bytes, gets another.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "api/json_response.hpp"

namespace jobsched::api {
namespace {

TEST(ContentETag, IsAQuotedSixteenDigitHexStringAndTheSameForTheSameBody) {
  const std::string body(42 * 1024, 'x');

  EXPECT_TRUE(std::regex_match(ContentETag(body), std::regex(R"("[0-9a-f]{16}")"))) << ContentETag(body);
  EXPECT_EQ(ContentETag(body), ContentETag(std::string(body)));
}

TEST(ContentETag, ChangesWhenAnyOneByteChanges) {
  // 75 bytes: two 32-byte blocks (every lane), one 8-byte word, three bytes.
  std::string body;
  for (int i = 0; i < 75; ++i) body += static_cast<char>('a' + i % 26);
  std::set<std::string> tags{ContentETag(body)};
  for (std::size_t at = 0; at < body.size(); ++at) {
    std::string changed = body;
    changed[at] = static_cast<char>(changed[at] ^ 1);
    tags.insert(ContentETag(changed));
  }
  EXPECT_EQ(tags.size(), body.size() + 1);
}

TEST(ContentETag, TellsBodiesOfDifferentLengthsApart) {
  EXPECT_NE(ContentETag(std::string("ab")), ContentETag(std::string("ab\0", 3)));
  EXPECT_NE(ContentETag(""), ContentETag(std::string(1, '\0')));
  EXPECT_NE(ContentETag(std::string(32, '\0')), ContentETag(std::string(64, '\0')));
}

}  // namespace
}  // namespace jobsched::api
