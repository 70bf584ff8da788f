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

TEST(DecodeJobRequestForm, RefusesUnknownFieldsAndBadValuesNamingThem) {
  struct Case {
    const char* body;
    const char* field;
  };
  for (const Case& c : {Case{"name=x&intervall=weekly", "intervall"}, Case{"name=x&is_active=yes", "is_active"},
                        Case{"name=x&task=email", "task"}, Case{"name=%ZZ", "body"}}) {
    auto request = DecodeJobRequestForm(c.body);

    ASSERT_FALSE(request.ok()) << c.body;
    EXPECT_EQ(request.error().field, c.field) << c.body;
  }
}

}  // namespace
}  // namespace jobsched::api
