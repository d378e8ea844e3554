// Checks of a text exposition that promtool does not make: the histogram invariants and series
// uniqueness that a scraper silently mis-handles if a client library gets them wrong.
//
// Used by the metrics_dump tool (run as a CTest next to `promtool check metrics`) and by unit
// tests. It parses the 0.0.4 text format just far enough: HELP/TYPE lines and samples of the form
// `name{label="value",...} number`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace obs {

// Problems found in `text`, one human-readable line each; empty when it passes. Checks:
//  - every sample follows a "# TYPE" for its family, and each family is declared once;
//  - no two samples have the same name and label set;
//  - histograms: per series, `le` bounds increase, cumulative counts never decrease, the last
//    bucket is le="+Inf" and equals `_count`, and `_sum` and `_count` are present;
//  - counter values are not negative.
std::vector<std::string> LintExposition(std::string_view text);

}  // namespace obs
