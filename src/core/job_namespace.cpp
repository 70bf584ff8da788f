#include "core/job_namespace.hpp"

#include "core/identifier.hpp"

namespace jobsched::core {

Result<void> ValidateNamespace(std::string_view name, std::string_view field) {
  return ValidateIdentifier(name, field, "a namespace", kMaxNamespaceLength);
}

}  // namespace jobsched::core
