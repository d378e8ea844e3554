// Errors as values, shared by every service.
//
// Domain and service code return `Result<T>`; the HTTP layer turns an `Error` into one
// `application/problem+json` response through exactly one mapping (`HttpStatusOf` in this file,
// `ProblemResponse` in problem.hpp). Adding a failure kind means adding a `Code` here and its
// status below — nowhere else.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <utility>

namespace core {

// What went wrong, in the vocabulary of the API (not of the transport or the store).
enum class Code {
  kOk = 0,
  kInvalidArgument,       // the request is malformed or a value is out of range
  kUnauthenticated,       // credentials missing or wrong
  kForbidden,             // authenticated but not allowed
  kNotFound,              // no such resource or route
  kMethodNotAllowed,      // the route exists, not with this method
  kRequestTimeout,        // the client was too slow sending its request
  kConflict,              // the resource exists already / version mismatch
  kGone,                  // the resource existed and was removed for good (a deleted link)
  kPayloadTooLarge,       // a body over the configured limit
  kUnsupportedMediaType,  // a body in a format we do not take
  kHeadersTooLarge,       // request line or headers over the configured limit
  kRateLimited,           // the caller is over a limit; retry later
  kUnavailable,           // a dependency is down, or we are shutting down / full
  kTimeout,               // a dependency did not answer in time
  kBadGateway,            // a dependency answered with garbage
  kInternal,              // a bug or an unexpected failure
  kNotImplemented,        // a feature of the protocol we do not support (a transfer coding)
};

// A failure: its kind plus a human-readable detail for the `detail` member of problem+json.
struct Error {
  Code code = Code::kInternal;
  std::string detail;

  Error() = default;
  Error(Code c, std::string d) : code(c), detail(std::move(d)) {}
};

// Boost.System's result<T, E> is our `expected` (C++23's is not in g++ 12); E must be
// default-constructible and have this ADL hook (see ../shared/STYLE.md, trap 3).
[[noreturn]] void throw_exception_from_error(const Error& e, const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// The one mapping from error kind to HTTP status code.
int HttpStatusOf(Code code) noexcept;

// Stable snake_case name of a code ("rate_limited"), used as the problem's `code` member and in
// logs.
std::string_view NameOf(Code code) noexcept;

}  // namespace core
