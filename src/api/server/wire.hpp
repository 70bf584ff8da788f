#pragma once

// Internal to the HTTP server (jobsched_http; includes Beast): requests and
// responses on the wire, and the requests the server refuses itself.
#include <optional>
#include <string>

#include "api/http_message.hpp"
#include "api/http_server.hpp"
#include "api/server/beast.hpp"

namespace jobsched::api::server {

// Ours, from Beast's.
HttpRequest ToHttpRequest(BeastRequest&& message, const std::string& remote_address);

// Whether the handler asked to close the connection after `response`.
bool WantsClose(const HttpResponse& response);

// A response's status line and headers, as bytes on the wire, and the body
// to write after them in the same gather write (WriteResponse), so a large
// body is not copied once more. The body is empty when nothing follows the
// head (204, 304, HEAD, a stream). A response with a stream gets its headers
// only, with the connection closed at the end of the body instead of a
// Content-Length.
struct WireResponse {
  std::string head;
  std::string body;
};
WireResponse SerializeResponse(HttpResponse response, unsigned version, bool keep_alive, bool header_only);

// The answer for a request that could not be read, or nullopt when the client is gone.
std::optional<HttpResponse> RejectionFor(const ErrorCode& ec, const HttpServerOptions& options);

// Why the body of `header`'s request has no single reading, or nullopt. RFC 9112 §6.1: a body
// is framed by Content-Length, or by Transfer-Encoding whose one coding is chunked; anything
// else gets 400 and the connection closed. Beast 1.81 reads a Transfer-Encoding that does not
// end in chunked as no body at all (or goes by Content-Length), so the bytes a proxy in front
// forwarded as this request's body would be read here as a request of their own (smuggling).
// Both fields together and duplicated chunked fields Beast refuses itself.
std::optional<std::string> FramingProblem(const BeastRequest::header_type& header);

}  // namespace jobsched::api::server
