// Name rules of the Prometheus data model, checked once when a family is registered.
//
// Metric names match [a-zA-Z_:][a-zA-Z0-9_:]* (colons are legal but reserved by convention for
// recording rules); label names match [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__"
// (reserved for Prometheus' internal labels). On top of the data model we enforce the conventions
// `promtool check metrics` lints, so a bad name fails at start-up instead of in a dashboard:
// counters end in "_total", other types do not, and "_bucket"/"_sum"/"_count" belong to histograms.
#pragma once

#include <string>
#include <string_view>

#include "core/base/utf8.hpp"

namespace obs {

bool IsValidMetricName(std::string_view name) noexcept;
bool IsValidLabelName(std::string_view name) noexcept;

// True when `text` is well-formed UTF-8 (the exposition format's encoding): core's check.
using core::IsValidUtf8;

// `text` with every ill-formed UTF-8 sequence replaced by U+FFFD, so a label value taken from a
// request can never make the exposition unparseable.
std::string SanitizeUtf8(std::string_view text);

}  // namespace obs
