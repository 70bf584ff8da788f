#pragma once

// Internal to the HTTP server (jobsched_http): the Boost.Beast and Asio
// headers it uses and its short names for them. Nothing outside
// src/api/http_server.cpp and src/api/server/ includes this.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detail/socket_option.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/buffers_suffix.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

namespace jobsched::api::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ErrorCode = boost::system::error_code;
using BeastRequest = http::request<http::string_body>;

// Disconnects, resets and timeouts are everyday events on a server, so every operation reports
// them as values instead of exceptions.
inline constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace jobsched::api::server
