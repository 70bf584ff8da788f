#pragma once

#include <cstddef>
#include <string_view>

#include "core/result.hpp"

namespace jobsched::core {

// Every job belongs to one namespace. A non-admin API key sees and changes
// only the jobs (and their runs) of its own namespace.
//
// Where jobs go when nobody says otherwise: jobs stored before namespaces
// existed, jobs created without authentication, and keys created without
// --namespace.
inline constexpr std::string_view kDefaultNamespace = "default";

constexpr std::size_t kMaxNamespaceLength = 64;

// 1 to 64 characters of lower-case letters, digits, '-', '_' and '.',
// starting with a letter or a digit (see ValidateIdentifier). Fails with
// kInvalidArgument naming `field`.
Result<void> ValidateNamespace(std::string_view name, std::string_view field = "namespace");

}  // namespace jobsched::core
