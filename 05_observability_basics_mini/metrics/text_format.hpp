// Prometheus text exposition format 0.0.4 — what `GET /metrics` returns.
//
// Pure functions from snapshots (snapshot.hpp) to text, so the exact bytes are unit-tested without
// any live metric. Per family: "# HELP" (help escaped: \\ and \n), "# TYPE", then one line per
// sample with label values escaped (\\, \" and \n); histograms expand to cumulative `_bucket`
// lines with an `le` label (ending with le="+Inf"), then `_sum` and `_count`. Numbers use the
// shortest text that round-trips, and +Inf / -Inf / NaN for the special values.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "05_observability_basics_mini/metrics/snapshot.hpp"

namespace obs {

// The Content-Type of a 0.0.4 text exposition.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

void AppendEscapedLabelValue(std::string& out, std::string_view value);
void AppendEscapedHelp(std::string& out, std::string_view help);
// Shortest round-trip decimal ("0.25", "1e+21"), or "+Inf", "-Inf", "NaN".
void AppendNumber(std::string& out, double value);

// Appends one family. Families without series are skipped entirely (as the Go client does).
void AppendFamily(std::string& out, const FamilySnapshot& family);

// All families, in the order given.
std::string FormatText(std::span<const FamilySnapshot> families);

}  // namespace obs
