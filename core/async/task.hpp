// The async layer's whole vocabulary: a coroutine type and the completion token this toolchain
// needs. Code that only awaits (a store that talks to Redis, a retry loop) includes this, not the
// HTTP types, so it never pulls in Beast.
//
// Boost 1.81: every co_await of an async operation names its token explicitly; with `kUseTuple`
// errors come back as values (std::tuple<error_code, ...>), never as exceptions.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace core {

namespace net = boost::asio;

template <class T = void>
using Task = net::awaitable<T>;

// `co_await op(..., kUseTuple)` yields std::tuple<error_code, ...> instead of throwing.
inline constexpr auto kUseTuple = net::as_tuple(net::use_awaitable);

}  // namespace core
