// The trace API fills the real core::TraceIds that travels in core::Exchange.
#include <gtest/gtest.h>

#include "05_observability_basics_mini/tracing/trace_context.hpp"
#include "core/base/hex.hpp"
#include "core/http/exchange.hpp"

namespace obs {
namespace {

TEST(CoreTraceIdsTest, AssignTraceIdsFillsCoreTraceIds) {
  const std::string_view parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  const std::string_view state = "congo=t61rcWkgMzE";
  core::TraceIds ids;
  EXPECT_FALSE(ids.valid());
  AssignTraceIds(StartServerSpan(std::span(&parent, 1), std::span(&state, 1)), ids);
  EXPECT_TRUE(ids.valid());
  EXPECT_EQ(core::ToHex(ids.trace_id), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(core::ToHex(ids.parent_span_id), "00f067aa0ba902b7");
  EXPECT_EQ(ids.flags, kSampledFlag);
  EXPECT_EQ(ids.tracestate, state);
  const std::string outbound = OutboundTraceparent(ids.trace_id, ids.flags);
  EXPECT_TRUE(outbound.starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
}

}  // namespace
}  // namespace obs
