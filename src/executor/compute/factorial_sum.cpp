#include "executor/compute/factorial_sum.hpp"

#include <cstring>
#include <vector>

#include <gmp.h>
#include <openssl/evp.h>

namespace jobsched::executor::compute {
namespace {

// Owns an mpz_t. GMP aborts the process when it cannot allocate, so there is
// no failure to report here.
class BigInteger {
 public:
  explicit BigInteger(unsigned long value) { mpz_init_set_ui(value_, value); }
  BigInteger(const BigInteger&) = delete;
  BigInteger& operator=(const BigInteger&) = delete;
  ~BigInteger() { mpz_clear(value_); }

  mpz_ptr get() { return value_; }

 private:
  mpz_t value_;
};

constexpr std::size_t kLeadingDigits = 20;
constexpr std::size_t kMaxFullValueDigits = 100;
// Each step is two limb-array passes; 64 of them take microseconds even at
// 20,000, so the deadline is honoured to well within a millisecond.
constexpr std::int64_t kStepsPerCheck = 64;

}  // namespace

std::optional<std::string> FactorialSumDecimal(std::int64_t n, const Interrupt& interrupt) {
  BigInteger sum(0);
  BigInteger factorial(1);
  // i! from (i-1)! with one multiplication by a word: linear per step, where
  // computing each factorial afresh would be quadratic overall.
  for (std::int64_t i = 1; i <= n; ++i) {
    mpz_mul_ui(factorial.get(), factorial.get(), static_cast<unsigned long>(i));
    mpz_add(sum.get(), sum.get(), factorial.get());
    if (i % kStepsPerCheck == 0 && interrupt.Requested()) return std::nullopt;
  }
  // mpz_sizeinbase may overshoot by one; +2 covers that and the terminator.
  std::vector<char> buffer(mpz_sizeinbase(sum.get(), 10) + 2);
  mpz_get_str(buffer.data(), 10, sum.get());
  return std::string(buffer.data());
}

core::Result<std::string> Sha256Hex(const std::string& data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    return core::Error::Internal("SHA-256 failed in OpenSSL");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0x0F];
  }
  return hex;
}

core::Result<std::string> DescribeFactorialSum(std::int64_t n, const std::string& decimal) {
  auto sha256 = Sha256Hex(decimal);
  if (!sha256) return sha256.error();
  std::string out = "{\"n\":" + std::to_string(n) + ",\"digits\":" + std::to_string(decimal.size()) +
                    ",\"leading_digits\":\"" + decimal.substr(0, kLeadingDigits) + "\",\"sha256\":\"" + *sha256 + "\"";
  if (decimal.size() <= kMaxFullValueDigits) out += ",\"value\":\"" + decimal + "\"";
  out += "}";
  return out;
}

}  // namespace jobsched::executor::compute
