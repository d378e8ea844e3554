#include "core/base/error.hpp"

#include <stdexcept>

namespace core {

void throw_exception_from_error(const Error& e, const boost::source_location&) {
  throw std::runtime_error(std::string(NameOf(e.code)) + ": " + e.detail);
}

int HttpStatusOf(Code code) noexcept {
  switch (code) {
    case Code::kOk:
      return 200;
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kForbidden:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kMethodNotAllowed:
      return 405;
    case Code::kRequestTimeout:
      return 408;
    case Code::kConflict:
      return 409;
    case Code::kGone:
      return 410;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kUnsupportedMediaType:
      return 415;
    case Code::kRateLimited:
      return 429;
    case Code::kHeadersTooLarge:
      return 431;
    case Code::kInternal:
      return 500;
    case Code::kNotImplemented:
      return 501;
    case Code::kBadGateway:
      return 502;
    case Code::kUnavailable:
      return 503;
    case Code::kTimeout:
      return 504;
  }
  return 500;
}

std::string_view NameOf(Code code) noexcept {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kForbidden:
      return "forbidden";
    case Code::kNotFound:
      return "not_found";
    case Code::kMethodNotAllowed:
      return "method_not_allowed";
    case Code::kRequestTimeout:
      return "request_timeout";
    case Code::kConflict:
      return "conflict";
    case Code::kGone:
      return "gone";
    case Code::kPayloadTooLarge:
      return "payload_too_large";
    case Code::kUnsupportedMediaType:
      return "unsupported_media_type";
    case Code::kHeadersTooLarge:
      return "headers_too_large";
    case Code::kRateLimited:
      return "rate_limited";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kTimeout:
      return "timeout";
    case Code::kBadGateway:
      return "bad_gateway";
    case Code::kInternal:
      return "internal";
    case Code::kNotImplemented:
      return "not_implemented";
  }
  return "internal";
}

}  // namespace core
