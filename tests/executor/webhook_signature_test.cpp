#include "executor/http/webhook_signature.hpp"

#include <gtest/gtest.h>

namespace jobsched::executor::http {
namespace {

// Expected values from Python's hmac module, an implementation independent of OpenSSL's:
//   hmac.new(b"whsec-0123456789abcdef", b'1767225600.{"hello":"world"}', hashlib.sha256).hexdigest()
TEST(WebhookSignature, IsTheHexHmacSha256OfTimeDotBody) {
  EXPECT_EQ(WebhookSignature("whsec-0123456789abcdef", 1767225600, R"({"hello":"world"})"),
            "t=1767225600,v1=4a88dc0c7f6648820b28e088b43e393fa006d43a1b0ad1a8ab777efdc8a2f94d");
}

TEST(WebhookSignature, SignsTheTimeAloneWhenThereIsNoBody) {
  EXPECT_EQ(WebhookSignature("whsec-0123456789abcdef", 1767225600, ""),
            "t=1767225600,v1=d5d4edd3724441a9da057d694514f2c489fae193b3a50bc4cf57ca1c781b8e04");
}

TEST(WebhookSignature, ChangesWithTheTimeTheBodyAndTheSecret) {
  const std::string base = WebhookSignature("secret-one-0123456", 100, "body");

  EXPECT_NE(WebhookSignature("secret-one-0123456", 101, "body").substr(6), base.substr(6));
  EXPECT_NE(WebhookSignature("secret-one-0123456", 100, "bodY"), base);
  EXPECT_NE(WebhookSignature("secret-two-0123456", 100, "body"), base);
}

}  // namespace
}  // namespace jobsched::executor::http
