// The single error body of every service: RFC 9457 problem details (`application/problem+json`).
//
// `type` is "about:blank" (so `title` is the HTTP reason phrase, as the RFC asks), `status` mirrors
// the HTTP status, `detail` says what was wrong in this request. Two extension members help clients
// and operators: `code` (the stable snake_case error name) and `request_id` when known.
#pragma once

#include <string>
#include <string_view>

#include "core/base/error.hpp"
#include "core/http/http_types.hpp"

namespace core {

inline constexpr std::string_view kProblemContentType = "application/problem+json";

// The JSON text of the problem for `error`; `instance` is the request path ("" to omit).
std::string ProblemJson(const Error& error, std::string_view instance, std::string_view request_id);

// Writes status, content type and body of the problem for `error` into `res`.
void SetProblem(Response& res, const Error& error, std::string_view instance,
                std::string_view request_id);

}  // namespace core
