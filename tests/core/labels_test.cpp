#include "core/labels.hpp"

#include <gtest/gtest.h>

#include "core/job_patch.hpp"
#include "core/job_validation.hpp"
#include "testing/time_literals.hpp"

namespace jobsched::core {
namespace {

using jobsched::testing::At;

TEST(ValidateLabelKey, AcceptsKubernetesKeys) {
  for (const char* key :
       {"team", "a", "app.kubernetes.io/name", "example.com/tier", "A_b-c.9", "x/y", "my-org.example/Team_2"}) {
    EXPECT_TRUE(ValidateLabelKey(key, "labels.k").ok()) << key;
  }
  EXPECT_TRUE(ValidateLabelKey(std::string(63, 'k'), "f").ok());
  EXPECT_TRUE(ValidateLabelKey(std::string(253, 'p') + "/" + std::string(63, 'n'), "f").ok());
}

TEST(ValidateLabelKey, RefusesWhatKubernetesRefusesNamingTheField) {
  for (const char* key : {"", "-team", "team-", "_x", "x.", "te am", "té", "a/b/c", "/name", "prefix/", "Example.com/x",
                          "ex_ample.com/x", "-a.com/x", "a..b/x", "a.com-/x"}) {
    auto valid = ValidateLabelKey(key, "labels.k");
    ASSERT_FALSE(valid.ok()) << key;
    EXPECT_EQ(valid.error().code, ErrorCode::kInvalidArgument);
    EXPECT_EQ(valid.error().field, "labels.k") << key;
  }
  EXPECT_FALSE(ValidateLabelKey(std::string(64, 'k'), "f").ok());
  EXPECT_FALSE(ValidateLabelKey(std::string(254, 'p') + "/n", "f").ok());
}

TEST(ValidateLabelValue, AllowsEmptyAndTheNameCharacters) {
  EXPECT_TRUE(ValidateLabelValue("", "f").ok());
  EXPECT_TRUE(ValidateLabelValue("payments", "f").ok());
  EXPECT_TRUE(ValidateLabelValue("v1.2_3-rc", "f").ok());
  EXPECT_TRUE(ValidateLabelValue(std::string(63, 'v'), "f").ok());
  EXPECT_FALSE(ValidateLabelValue(std::string(64, 'v'), "f").ok());
  EXPECT_FALSE(ValidateLabelValue("a/b", "f").ok());
  EXPECT_FALSE(ValidateLabelValue("-a", "f").ok());
  EXPECT_FALSE(ValidateLabelValue("a b", "f").ok());
}

TEST(ValidateLabels, NamesTheLabelAtFaultAndLimitsTheCount) {
  auto bad = ValidateLabels({{"team", "payments"}, {"tier", "not ok"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().field, "labels.tier");
  EXPECT_NE(bad.error().message.find("value 'not ok'"), std::string::npos) << bad.error().message;

  Labels many;
  for (std::size_t i = 0; i < kMaxLabels; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_TRUE(ValidateLabels(many).ok());
  many["one-more"] = "v";
  auto too_many = ValidateLabels(many);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.error().field, "labels");
}

JobRequest Request() {
  JobRequest request;
  request.name = "report";
  request.interval = "daily";
  return request;
}

TEST(JobLabels, ANewJobKeepsItsLabelsAndABadOneIsRefused) {
  JobRequest request = Request();
  request.labels = Labels{{"team", "payments"}, {"tier", ""}};
  auto job = ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
  ASSERT_TRUE(job.ok());
  EXPECT_EQ(job->labels, (Labels{{"team", "payments"}, {"tier", ""}}));

  request.labels = Labels{{"bad key", "x"}};
  auto refused = ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "labels.bad key");
}

TEST(JobLabels, APatchReplacesTheLabelsWholeAndNullRemovesThem) {
  JobRequest request = Request();
  request.labels = Labels{{"team", "payments"}, {"tier", "web"}};
  auto job = ValidateNewJob(request, At("2026-12-07T09:00:00Z"));
  ASSERT_TRUE(job.ok());

  JobPatch patch;
  patch.set.labels = Labels{{"team", "billing"}};
  auto patched = ApplyJobPatch(*job, patch, At("2026-12-07T09:01:00Z"));
  ASSERT_TRUE(patched.ok());
  EXPECT_EQ(patched->labels, (Labels{{"team", "billing"}}));
  EXPECT_EQ(patched->version, job->version + 1);

  JobPatch cleared;
  cleared.cleared.insert("labels");
  auto emptied = ApplyJobPatch(*patched, cleared, At("2026-12-07T09:02:00Z"));
  ASSERT_TRUE(emptied.ok());
  EXPECT_TRUE(emptied->labels.empty());

  JobPatch bad;
  bad.set.labels = Labels{{"team", "-x"}};
  auto refused = ApplyJobPatch(*job, bad, At("2026-12-07T09:03:00Z"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().field, "labels.team");
}

}  // namespace
}  // namespace jobsched::core
