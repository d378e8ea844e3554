// The value of the HTTP Date header (RFC 9110 IMF-fixdate), formatted at most once per second per
// thread: every response carries one, and strftime per response would show up in profiles.
#pragma once

#include <string_view>

namespace core {

// "Tue, 24 Nov 2026 11:21:00 GMT" for the current second. Valid until the next call on this thread.
std::string_view HttpDate();

}  // namespace core
