#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include "core/label_selector.hpp"

namespace jobsched::store {

// Adds a text parameter to a statement being built and answers how the
// statement names it ("?12" for SQLite, "$4::text" for PostgreSQL).
using TextParameter = std::function<std::string(const std::string& value)>;

// The conditions that select `selector`'s jobs, each on `jobs.id` through
// job_labels (migration 0020) and each starting with " AND ", in both
// databases' SQL. The requirement at `skip`, if any, is left out: the
// statement reads it through its driving join instead.
std::string LabelConditions(const core::LabelSelector& selector, std::optional<std::size_t> skip,
                            const TextParameter& parameter);

// Whether a page can be read from job_labels through `requirement`: a
// `key=value` or a `key` (presence), whose jobs an index holds in id order.
bool CanDrive(const core::LabelRequirement& requirement);

}  // namespace jobsched::store
