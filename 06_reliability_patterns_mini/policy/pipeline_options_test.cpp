#include "06_reliability_patterns_mini/policy/pipeline_options.hpp"

#include <gtest/gtest.h>

#include <string>

namespace reliability {
namespace {

using std::chrono::milliseconds;

std::string ErrorOf(std::string_view text) {
  auto r = ParsePipelineOptions(text);
  if (r) return "(parsed)";
  EXPECT_EQ(r.error().code, core::Code::kInvalidArgument);
  return r.error().detail;
}

TEST(PipelineOptionsTest, AnEmptyObjectGivesTheDocumentedDefaults) {
  auto r = ParsePipelineOptions("{}");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(PipelineOptionsToJson(*r), PipelineOptionsToJson(PipelineOptions{}));
  EXPECT_EQ(r->retry.max_attempts, 3);
  EXPECT_EQ(r->timeout.attempt, std::chrono::seconds(1));
  EXPECT_TRUE(r->budget && r->breaker && r->bulkhead);
  EXPECT_FALSE(r->hedge || r->throttle);
}

TEST(PipelineOptionsTest, TheCanonicalJsonIsReadable) {
  EXPECT_EQ(PipelineOptionsToJson(PipelineOptions{}),
            R"({"timeout":{"attempt_ms":1000,"total_ms":15000},)"
            R"("retry":{"max_attempts":3,"backoff":"exponential","base_ms":25,"max_ms":250,)"
            R"("jitter":"full"},"budget":{"ratio":0.2,"min_per_second":10,"window_ms":10000},)"
            R"("breaker":{"window":"count","window_size":100,"minimum_calls":100,)"
            R"("failure_rate":0.5,"slow_call_rate":1,"slow_call_ms":60000,"open_ms":5000,)"
            R"("half_open_probes":3},"bulkhead":{"max_concurrent":1024,"max_queue":0,)"
            R"("max_wait_ms":0},"hedge":false,"throttle":false})");
}

TEST(PipelineOptionsTest, EveryFieldIsReadAndRoundTrips) {
  const std::string text =
      R"({"timeout":{"attempt_ms":250.5,"total_ms":2000},)"
      R"("retry":{"max_attempts":5,"backoff":"constant","base_ms":10,"max_ms":40,)"
      R"("jitter":"decorrelated"},"budget":{"ratio":0.1,"min_per_second":2,"window_ms":5000},)"
      R"("breaker":{"window":"time","window_size":30,"minimum_calls":20,"failure_rate":0.25,)"
      R"("slow_call_rate":0.75,"slow_call_ms":800,"open_ms":1500,"half_open_probes":2},)"
      R"("bulkhead":{"max_concurrent":8,"max_queue":4,"max_wait_ms":50},)"
      R"("hedge":{"max_hedges":2,"delay_ms":30,"percentile":99,"min_samples":10,"window":500},)"
      R"("throttle":{"k":1.5,"window_ms":60000}})";
  auto r = ParsePipelineOptions(text);
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_EQ(r->timeout.attempt, std::chrono::microseconds(250500));
  EXPECT_EQ(r->retry.backoff.kind, BackoffKind::kConstant);
  EXPECT_EQ(r->retry.backoff.jitter, Jitter::kDecorrelated);
  EXPECT_EQ(r->breaker->window, WindowType::kTime);
  EXPECT_EQ(r->breaker->half_open_probes, 2);
  EXPECT_EQ(r->bulkhead->max_wait, milliseconds(50));
  EXPECT_EQ(r->hedge->max_hedges, 2);
  EXPECT_DOUBLE_EQ(r->throttle->k, 1.5);
  EXPECT_EQ(PipelineOptionsToJson(*r), text);
}

TEST(PipelineOptionsTest, SectionsTurnOnAndOff) {
  auto r = ParsePipelineOptions(R"({"budget":false,"breaker":null,"hedge":true,"throttle":{}})");
  ASSERT_TRUE(r) << r.error().detail;
  EXPECT_FALSE(r->budget);
  EXPECT_FALSE(r->breaker);
  ASSERT_TRUE(r->hedge);
  EXPECT_EQ(r->hedge->delay, std::chrono::seconds(2));
  ASSERT_TRUE(r->throttle);
  EXPECT_DOUBLE_EQ(r->throttle->k, 2.0);
}

TEST(PipelineOptionsTest, ErrorsNameTheField) {
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempts":11}})"), "retry.max_attempts: must be in [1, 10]");
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempts":0}})"), "retry.max_attempts: must be in [1, 10]");
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempts":2.5}})"), "retry.max_attempts: must be an integer");
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempts":"3"}})"), "retry.max_attempts: must be an integer");
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempts":99999999999999}})"),
            "retry.max_attempts: out of range");
  EXPECT_EQ(ErrorOf(R"({"retry":{"max_attempt":3}})"),
            "retry.max_attempt: unknown member (expected max_attempts, backoff, base_ms, max_ms, "
            "jitter)");
  EXPECT_EQ(ErrorOf(R"({"retry":{"jitter":"half"}})"),
            "retry.jitter: must be one of none, full, equal, decorrelated");
  EXPECT_EQ(ErrorOf(R"({"retry":{"base_ms":300}})"), "retry.max_ms: must be >= retry.base_ms");
  EXPECT_EQ(ErrorOf(R"({"timeout":{"attempt_ms":-1}})"),
            "timeout.attempt_ms: must not be negative");
  EXPECT_EQ(ErrorOf(R"({"timeout":{"attempt_ms":0}})"),
            "timeout.attempt_ms: must be in (0, 3600000] ms");
  EXPECT_EQ(ErrorOf(R"({"timeout":{"total_ms":1e300}})"), "timeout.total_ms: at most 3600000 ms");
  EXPECT_EQ(ErrorOf(R"({"breaker":{"failure_rate":1.5}})"),
            "breaker.failure_rate: must be in (0, 1]");
  EXPECT_EQ(ErrorOf(R"({"breaker":{"window":"time","window_size":7200}})"),
            "breaker.window_size: must be in [1, 3600] seconds for a time window");
  EXPECT_EQ(ErrorOf(R"({"breaker":{"window_size":20000}})"),
            "breaker.window_size: must be in [1, 10000] calls for a count window");
  EXPECT_EQ(ErrorOf(R"({"breaker":{"half_open_probes":0}})"),
            "breaker.half_open_probes: must be in [1, 1000]");
  EXPECT_EQ(ErrorOf(R"({"bulkhead":{"max_queue":10}})"),
            "bulkhead.max_wait_ms: must be > 0 when bulkhead.max_queue > 0");
  EXPECT_EQ(ErrorOf(R"({"hedge":{"max_hedges":4}})"), "hedge.max_hedges: must be in [1, 3]");
  EXPECT_EQ(ErrorOf(R"({"hedge":{"percentile":100}})"),
            "hedge.percentile: must be 0 (fixed delay) or in (0, 100)");
  EXPECT_EQ(ErrorOf(R"({"hedge":{"min_samples":2000}})"),
            "hedge.min_samples: must be in [1, hedge.window]");
  EXPECT_EQ(ErrorOf(R"({"throttle":{"k":0.5}})"), "throttle.k: must be in [1, 10]");
  EXPECT_EQ(ErrorOf(R"({"budget":{"ratio":-0.1}})"), "budget.ratio: must be in [0, 1]");
  EXPECT_EQ(ErrorOf(R"({"budget":"yes"})"), "budget: must be an object, true, false or null");
  EXPECT_EQ(ErrorOf(R"({"retry":[]})"), "retry: must be an object");
  EXPECT_EQ(ErrorOf(R"({"retries":{}})"),
            "retries: unknown member (expected timeout, retry, budget, breaker, bulkhead, hedge, "
            "throttle)");
}

TEST(PipelineOptionsTest, MalformedJson) {
  EXPECT_NE(ErrorOf("{").find("policy: invalid JSON"), std::string::npos);
  EXPECT_NE(ErrorOf("").find("policy: invalid JSON"), std::string::npos);
  EXPECT_EQ(ErrorOf("[]"), "policy: must be a JSON object");
  EXPECT_NE(ErrorOf(std::string(10000, '[') + std::string(10000, ']')).find("invalid JSON"),
            std::string::npos);  // depth-limited, no stack overflow
}

TEST(PipelineOptionsTest, ValidateChecksOptionsBuiltInCode) {
  PipelineOptions o;
  EXPECT_TRUE(ValidatePipelineOptions(o));
  o.retry.max_attempts = 0;
  EXPECT_EQ(ValidatePipelineOptions(o).error().detail, "retry.max_attempts: must be in [1, 10]");
}

}  // namespace
}  // namespace reliability
