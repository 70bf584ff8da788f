#include "api/form_codec.hpp"

#include <gtest/gtest.h>

namespace jobsched::api {
namespace {

TEST(DecodeJobRequestForm, AcceptsTheOriginalServicesFormPost) {
  auto request = DecodeJobRequestForm("name=Number+Crunching&interval=weekly&is_active=true");

  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->name, "Number Crunching");
  EXPECT_EQ(request->interval, "weekly");
  EXPECT_EQ(request->is_active, true);
}

TEST(DecodeJobRequestForm, DecodesPercentEscapesAndJsonTasks) {
  auto request = DecodeJobRequestForm("name=caf%C3%A9&every=15m&task=%7B%22type%22%3A%22noop%22%7D");

  ASSERT_TRUE(request.ok());
  EXPECT_EQ(request->name, "caf\xc3\xa9");
  EXPECT_EQ(request->every, "15m");
  ASSERT_TRUE(request->task.has_value());
  EXPECT_EQ(core::TaskTypeName(*request->task), "noop");
}

// `curl -d 'name=Send Email Notification&interval=weekly'` sends the spaces
// as they are; Django (urllib's parse_qsl) took them, and so do we.
TEST(DecodeJobRequestForm, AcceptsUnencodedSpacesAsTheOriginalDid) {
  auto request = DecodeJobRequestForm("name=Send Email Notification&interval=weekly");

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->name, "Send Email Notification");
  EXPECT_EQ(request->interval, "weekly");
}

// Django's unquote leaves a '%' that does not start an escape as it is.
TEST(DecodeJobRequestForm, KeepsAPercentSignThatStartsNoEscape) {
  auto request = DecodeJobRequestForm("name=100% done %ZZ&every=1h");

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->name, "100% done %ZZ");
}

// Django's QueryDict answers a repeated field with its last value.
TEST(DecodeJobRequestForm, TakesTheLastValueOfARepeatedField) {
  auto request = DecodeJobRequestForm("name=first&name=second&interval=daily");

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_EQ(request->name, "second");
}

// Django REST framework's BooleanField spellings; an HTML checkbox sends "on".
TEST(DecodeJobRequestForm, ReadsBooleansAsDjangoRestFrameworkDid) {
  for (const char* yes : {"true", "True", "1", "on", "yes", "y", "t"}) {
    auto request = DecodeJobRequestForm(std::string("name=x&interval=daily&is_active=") + yes);
    ASSERT_TRUE(request.ok()) << yes;
    EXPECT_EQ(request->is_active, true) << yes;
  }
  for (const char* no : {"false", "False", "0", "off", "no", "n", "f"}) {
    auto request = DecodeJobRequestForm(std::string("name=x&interval=daily&is_active=") + no);
    ASSERT_TRUE(request.ok()) << no;
    EXPECT_EQ(request->is_active, false) << no;
  }
}

// HTML forms send every input, the ones left blank as "field=".
TEST(DecodeJobRequestForm, TakesABlankOptionalFieldAsAbsent) {
  auto request = DecodeJobRequestForm("name=x&interval=daily&task=&timezone=&is_active=&&");

  ASSERT_TRUE(request.ok()) << request.error().message;
  EXPECT_FALSE(request->task.has_value());
  EXPECT_FALSE(request->timezone.has_value());
  EXPECT_FALSE(request->is_active.has_value());
}

TEST(DecodeJobRequestForm, RefusesUnknownFieldsAndBadValuesSayingWhatIsWrong) {
  struct Case {
    const char* body;
    const char* field;
    const char* says;
  };
  for (const Case& c : {Case{"name=x&intervall=weekly", "intervall", "did you mean 'interval'"},
                        Case{"name=x&is_active=maybe", "is_active", "is_active: must be true or false"},
                        Case{"name=x&task=email", "task", "task"}}) {
    auto request = DecodeJobRequestForm(c.body);

    ASSERT_FALSE(request.ok()) << c.body;
    EXPECT_EQ(request.error().field, c.field) << c.body;
    EXPECT_NE(request.error().message.find(c.says), std::string::npos) << request.error().message;
  }
}

}  // namespace
}  // namespace jobsched::api
