#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "client/output.hpp"

namespace jobsched::client {

// `-o table`: a list as aligned columns, one object as "member: value" lines
// (times also relative to style.now), a dry run as a sentence and its changes.
std::string RenderTable(const boost::json::value& value, Resource resource, const TableStyle& style);

}  // namespace jobsched::client
