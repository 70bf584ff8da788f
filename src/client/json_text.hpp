#pragma once

#include <string>

#include <boost/json/value.hpp>

namespace jobsched::client {

// `value` as JSON text: compact on one line, or pretty (two-space indents,
// one member per line). Numbers are written in their shortest form ("0.1",
// not Boost.JSON's "1E-1"), so what the service wrote reads the same.
std::string ToJsonText(const boost::json::value& value, bool pretty);

// A double in its shortest round-trip form: "0.1", "3", "1e+300".
std::string ShortestNumber(double number);

}  // namespace jobsched::client
