#pragma once

#include <boost/json/object.hpp>

#include "api/http_message.hpp"
#include "core/result.hpp"

namespace jobsched::api {

// The body of `request` as a JSON object, for endpoints that take JSON only
// (POST /sessions, POST /keys): a Content-Type other than JSON (or none) is
// kInvalidArgument with field "Content-Type" (answer 415: a form another
// site's page posts never gets read); bad JSON or another value than an
// object is kInvalidArgument with field "body".
core::Result<boost::json::object> DecodeJsonObject(const HttpRequest& request);

// The answer to a DecodeJsonObject error: 415 for the media type, else the
// error's own (400).
HttpResponse JsonBodyProblem(const core::Error& error);

}  // namespace jobsched::api
