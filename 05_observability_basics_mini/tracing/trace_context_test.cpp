// traceparent parsing and the server-span / outbound rules. The cases mirror the W3C conformance
// suite (w3c/trace-context test/test.py): there a service under test must keep the trace-id of a
// valid parent and mint a new one for an invalid parent; here that is "parses" vs "nullopt".
#include "05_observability_basics_mini/tracing/trace_context.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/base/hex.hpp"

namespace obs {
namespace {

constexpr std::string_view kTraceHex = "12345678901234567890123456789012";
constexpr std::string_view kParentHex = "1234567890123456";
constexpr std::string_view kValid = "00-12345678901234567890123456789012-1234567890123456-01";

bool Parses(std::string_view value) { return ParseTraceparent(value).has_value(); }

TEST(TraceparentTest, ParsesAllFieldsOfAValidVersion00Header) {
  const auto parent = ParseTraceparent(kValid);
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(parent->version, 0);
  EXPECT_EQ(core::ToHex(parent->trace_id), kTraceHex);
  EXPECT_EQ(core::ToHex(parent->parent_id), kParentHex);
  EXPECT_EQ(parent->flags, 0x01);
}

TEST(TraceparentTest, IgnoresSurroundingSpacesAndTabs) {  // test_traceparent_ows_handling
  for (const std::string pad : {" ", "\t", "\t "}) {
    EXPECT_TRUE(Parses(pad + std::string(kValid))) << "leading '" << pad << "'";
    EXPECT_TRUE(Parses(std::string(kValid) + pad)) << "trailing '" << pad << "'";
  }
}

TEST(TraceparentTest, RejectsVersion00WithTrailingCharacters) {  // test_traceparent_version_0x00
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-01."));
  EXPECT_FALSE(Parses(
      "00-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like"));
}

TEST(TraceparentTest, ParsesAFutureVersionByVersion00Fields) {  // test_traceparent_version_0xcc
  const auto exact = ParseTraceparent("cc-12345678901234567890123456789012-1234567890123456-01");
  ASSERT_TRUE(exact.has_value());
  EXPECT_EQ(exact->version, 0xcc);
  EXPECT_EQ(core::ToHex(exact->trace_id), kTraceHex);
  const auto longer = ParseTraceparent(
      "cc-12345678901234567890123456789012-1234567890123456-01-what-the-future-will-be-like");
  ASSERT_TRUE(longer.has_value());
  EXPECT_EQ(core::ToHex(longer->trace_id), kTraceHex);
}

TEST(TraceparentTest, RejectsAFutureVersionWhoseFlagsAreNotFollowedByADash) {
  EXPECT_FALSE(Parses(
      "cc-12345678901234567890123456789012-1234567890123456-01.what-the-future-will-be-like"));
}

TEST(TraceparentTest, RejectsVersionFf) {  // test_traceparent_version_0xff
  EXPECT_FALSE(Parses("ff-12345678901234567890123456789012-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsIllegalCharactersInVersion) {
  EXPECT_FALSE(Parses(".0-12345678901234567890123456789012-1234567890123456-01"));
  EXPECT_FALSE(Parses("0.-12345678901234567890123456789012-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsAVersionOfWrongLength) {  // version_too_long / version_too_short
  EXPECT_FALSE(Parses("000-12345678901234567890123456789012-1234567890123456-01"));
  EXPECT_FALSE(Parses("0000-12345678901234567890123456789012-1234567890123456-01"));
  EXPECT_FALSE(Parses("0-12345678901234567890123456789012-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsAnAllZeroTraceId) {
  EXPECT_FALSE(Parses("00-00000000000000000000000000000000-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsIllegalCharactersInTraceId) {
  EXPECT_FALSE(Parses("00-.2345678901234567890123456789012-1234567890123456-01"));
  EXPECT_FALSE(Parses("00-1234567890123456789012345678901.-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsATraceIdOfWrongLength) {
  EXPECT_FALSE(Parses("00-123456789012345678901234567890123-1234567890123456-01"));
  EXPECT_FALSE(Parses("00-1234567890123456789012345678901-1234567890123456-01"));
}

TEST(TraceparentTest, RejectsAnAllZeroParentId) {
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-0000000000000000-01"));
}

TEST(TraceparentTest, RejectsIllegalCharactersInParentId) {
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-.234567890123456-01"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-123456789012345.-01"));
}

TEST(TraceparentTest, RejectsAParentIdOfWrongLength) {
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-12345678901234567-01"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-123456789012345-01"));
}

TEST(TraceparentTest, RejectsIllegalCharactersInFlags) {
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-.0"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-0."));
}

TEST(TraceparentTest, RejectsFlagsOfWrongLength) {
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-001"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-1"));
}

TEST(TraceparentTest, RejectsUppercaseHex) {  // HEXDIGLC: lowercase only
  EXPECT_FALSE(Parses("00-1234567890123456789012345678901A-1234567890123456-01"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-123456789012345A-01"));
  EXPECT_FALSE(Parses("00-12345678901234567890123456789012-1234567890123456-0A"));
}

TEST(TraceparentTest, RejectsEmptyAndShortValues) {
  EXPECT_FALSE(Parses(""));
  EXPECT_FALSE(Parses("00"));
  EXPECT_FALSE(Parses(kValid.substr(0, 54)));
}

TEST(TraceparentTest, KeepsUnknownFlagBitsAsReceived) {
  const auto parent = ParseTraceparent("00-12345678901234567890123456789012-1234567890123456-ff");
  ASSERT_TRUE(parent.has_value());
  EXPECT_EQ(parent->flags, 0xff);
}

TEST(TraceparentTest, RequiresExactlyOneHeaderLine) {  // test_traceparent_duplicated
  const std::vector<std::string_view> none;
  const std::vector<std::string_view> one{kValid};
  const std::vector<std::string_view> two{"00-12345678901234567890123456789011-1234567890123456-01",
                                          kValid};
  EXPECT_FALSE(ParseTraceparentHeaders(none).has_value());
  EXPECT_TRUE(ParseTraceparentHeaders(one).has_value());
  EXPECT_FALSE(ParseTraceparentHeaders(two).has_value());
}

TEST(TraceparentTest, FormatRoundTripsThroughParse) {
  const TraceId trace = NewTraceId();
  const SpanId span = NewSpanId();
  const std::string text = FormatTraceparent(trace, span, 0x01);
  EXPECT_EQ(text.size(), kTraceparentLength);
  const auto parsed = ParseTraceparent(text);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->trace_id, trace);
  EXPECT_EQ(parsed->parent_id, span);
  EXPECT_EQ(parsed->flags, 0x01);
}

TEST(TraceparentTest, FormatsTheSpecExample) {
  TraceId trace{};
  SpanId span{};
  ASSERT_TRUE(core::FromLowerHex("4bf92f3577b34da6a3ce929d0e0e4736", trace));
  ASSERT_TRUE(core::FromLowerHex("00f067aa0ba902b7", span));
  EXPECT_EQ(FormatTraceparent(trace, span, 0x01),
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
}

TEST(IdsTest, NewIdsAreNonZeroAndDistinct) {
  std::set<TraceId> traces;
  std::set<SpanId> spans;
  for (int i = 0; i < 1000; ++i) {
    const TraceId t = NewTraceId();
    const SpanId s = NewSpanId();
    EXPECT_FALSE(IsZero(t));
    EXPECT_FALSE(IsZero(s));
    traces.insert(t);
    spans.insert(s);
  }
  EXPECT_EQ(traces.size(), 1000u);
  EXPECT_EQ(spans.size(), 1000u);
}

TEST(HexTest, RejectsUppercaseAndWrongLength) {
  std::array<std::uint8_t, 2> out{};
  EXPECT_TRUE(core::FromLowerHex("0aff", out));
  EXPECT_EQ(out[0], 0x0a);
  EXPECT_EQ(out[1], 0xff);
  EXPECT_FALSE(core::FromLowerHex("0AFF", out));
  EXPECT_FALSE(core::FromLowerHex("0af", out));
  EXPECT_FALSE(core::FromLowerHex("0afff0", out));
}

// --- Server span: what the service does with the incoming headers --------------------------

std::vector<std::string_view> Lines(std::initializer_list<std::string_view> lines) {
  return std::vector<std::string_view>(lines);
}

TEST(ServerSpanTest, ContinuesAValidParentWithANewSpanId) {  // test_traceparent_included_...
  const auto span = StartServerSpan(Lines({kValid}), Lines({}));
  EXPECT_TRUE(span.continued);
  EXPECT_EQ(core::ToHex(span.trace_id), kTraceHex);
  EXPECT_EQ(core::ToHex(span.parent_span_id), kParentHex);
  EXPECT_NE(core::ToHex(span.span_id), kParentHex);
  EXPECT_FALSE(IsZero(span.span_id));
  EXPECT_EQ(span.flags, kSampledFlag);
}

TEST(ServerSpanTest,
     StartsANewTraceWithoutAParent) {  // test_both_traceparent_and_tracestate_missing
  const auto span = StartServerSpan(Lines({}), Lines({}));
  EXPECT_FALSE(span.continued);
  EXPECT_FALSE(IsZero(span.trace_id));
  EXPECT_FALSE(IsZero(span.span_id));
  EXPECT_TRUE(IsZero(span.parent_span_id));
  EXPECT_EQ(span.flags, 0);
}

TEST(ServerSpanTest, StartsANewTraceForAnInvalidParent) {
  const auto span = StartServerSpan(
      Lines({"00-00000000000000000000000000000000-1234567890123456-01"}), Lines({}));
  EXPECT_FALSE(span.continued);
  EXPECT_FALSE(IsZero(span.trace_id));
  EXPECT_TRUE(IsZero(span.parent_span_id));
}

TEST(ServerSpanTest, SamplesNewTracesWhenConfiguredTo) {
  const auto span = StartServerSpan(Lines({}), Lines({}), {.sample_new_traces = true});
  EXPECT_EQ(span.flags, kSampledFlag);
}

TEST(ServerSpanTest, ClearsFlagBitsLevel1DoesNotDefine) {
  const auto span = StartServerSpan(
      Lines({"00-12345678901234567890123456789012-1234567890123456-03"}), Lines({}));
  EXPECT_EQ(span.flags, kSampledFlag);
}

TEST(ServerSpanTest, DowngradesAFutureVersionParentToVersion00Fields) {
  const auto span = StartServerSpan(
      Lines({"cc-12345678901234567890123456789012-1234567890123456-01-future"}), Lines({}));
  EXPECT_TRUE(span.continued);
  EXPECT_EQ(core::ToHex(span.trace_id), kTraceHex);
}

TEST(ServerSpanTest, InheritsTracestateWithAValidParent) {  // test_tracestate_included_...
  const auto span = StartServerSpan(Lines({kValid}), Lines({"foo=1,bar=2"}));
  EXPECT_EQ(span.tracestate, "foo=1,bar=2");
}

TEST(ServerSpanTest,
     IgnoresTracestateWithoutAValidParent) {  // test_tracestate_included_traceparent_missing
  EXPECT_EQ(StartServerSpan(Lines({}), Lines({"foo=1"})).tracestate, "");
  EXPECT_EQ(StartServerSpan(Lines({"garbage"}), Lines({"foo=1,bar=2"})).tracestate, "");
}

TEST(ServerSpanTest, KeepsTheParentWhenTracestateIsInvalid) {
  const auto span = StartServerSpan(Lines({kValid}), Lines({"foo=1,BAR=2"}));
  EXPECT_TRUE(span.continued);
  EXPECT_EQ(core::ToHex(span.trace_id), kTraceHex);
  EXPECT_EQ(span.tracestate, "");
}

// --- Outbound calls ----------------------------------------------------------------------------

TEST(OutboundTest,
     KeepsTheTraceIdAndUsesANewSpanPerCall) {  // test_multiple_requests_with_valid_...
  const auto span = StartServerSpan(Lines({kValid}), Lines({}));
  std::set<std::string> parent_ids;
  for (int i = 0; i < 3; ++i) {
    SpanId child{};
    const auto header = OutboundTraceparent(span.trace_id, span.flags, &child);
    const auto parsed = ParseTraceparent(header);
    ASSERT_TRUE(parsed.has_value()) << header;
    EXPECT_EQ(core::ToHex(parsed->trace_id), kTraceHex);
    EXPECT_EQ(parsed->parent_id, child);
    EXPECT_NE(parsed->parent_id, span.span_id);
    parent_ids.insert(core::ToHex(parsed->parent_id));
  }
  EXPECT_EQ(parent_ids.size(), 3u);
}

TEST(OutboundTest, AlwaysSendsVersion00WithKnownFlagsOnly) {
  const auto span = StartServerSpan(
      Lines({"cc-12345678901234567890123456789012-1234567890123456-ff-future"}), Lines({}));
  const std::string header = OutboundTraceparent(span.trace_id, 0xff);
  EXPECT_TRUE(header.starts_with("00-12345678901234567890123456789012-"));
  EXPECT_TRUE(header.ends_with("-01"));
}

}  // namespace
}  // namespace obs
