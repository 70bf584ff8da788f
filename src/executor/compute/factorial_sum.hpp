#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "executor/compute/interrupt.hpp"

namespace jobsched::executor::compute {

// The exact decimal value of 1! + 2! + ... + n! (an empty sum, "0", for
// n < 1), or nullopt when `interrupt` fired first. 20,000 gives about 77,000
// digits in well under a second.
std::optional<std::string> FactorialSumDecimal(std::int64_t n, const Interrupt& interrupt);

// The run output for factorial_sum(n) whose value is `decimal`, as one line of
// JSON: {"n":..,"digits":..,"leading_digits":"<first 20>","sha256":"<hex of
// the decimal string>"} plus "value" when it has at most 100 digits. Fails
// with kInternal if OpenSSL cannot hash.
core::Result<std::string> DescribeFactorialSum(std::int64_t n, const std::string& decimal);

// Lower-case hex SHA-256 of `data`. Fails with kInternal if OpenSSL cannot.
core::Result<std::string> Sha256Hex(const std::string& data);

}  // namespace jobsched::executor::compute
