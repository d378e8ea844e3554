// The HTTP vocabulary every handler and middleware speaks: Beast's message types, Asio's
// awaitable, and the completion token this toolchain needs (Boost 1.81: every co_await of an async
// operation names its token explicitly; errors come back as values, never as exceptions).
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

namespace core {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

template <class T = void>
using Task = net::awaitable<T>;

// `co_await op(..., kUseTuple)` yields std::tuple<error_code, ...> instead of throwing.
inline constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

}  // namespace core
