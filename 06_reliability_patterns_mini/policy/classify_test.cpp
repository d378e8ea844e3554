#include "06_reliability_patterns_mini/policy/classify.hpp"

#include <gtest/gtest.h>

namespace reliability {
namespace {

using std::chrono::seconds;
const auto kNow = std::chrono::system_clock::time_point(seconds(784111777));

Classification Status(int status, bool idempotent = true, std::string_view retry_after = {}) {
  return ClassifyHttp({.failure = TransportFailure::kNone,
                       .status = status,
                       .retry_after = retry_after,
                       .idempotent = idempotent},
                      kNow);
}

Classification Failure(TransportFailure failure, bool idempotent = true) {
  return ClassifyHttp(
      {.failure = failure, .status = 0, .retry_after = {}, .idempotent = idempotent}, kNow);
}

TEST(ClassifyTest, SuccessfulResponses) {
  for (int s : {200, 201, 204, 301, 304}) {
    const auto c = Status(s);
    EXPECT_EQ(c.verdict, Verdict::kSuccess) << s;
    EXPECT_EQ(c.health, Health::kSuccess) << s;
    EXPECT_EQ(c.status, s);
  }
}

TEST(ClassifyTest, GatewayErrorsAreRetriedAndCountAgainstTheUpstream) {
  for (int s : {502, 503, 504}) {
    const auto c = Status(s);
    EXPECT_EQ(c.verdict, Verdict::kRetryable) << s;
    EXPECT_EQ(c.health, Health::kFailure) << s;
  }
}

TEST(ClassifyTest, OtherServerErrorsArePermanentButUnhealthy) {
  for (int s : {500, 501, 505, 599}) {
    const auto c = Status(s);
    EXPECT_EQ(c.verdict, Verdict::kPermanent) << s;
    EXPECT_EQ(c.health, Health::kFailure) << s;
  }
}

TEST(ClassifyTest, ClientErrorsArePermanentAndTheUpstreamIsHealthy) {
  for (int s : {400, 401, 403, 404, 409, 422}) {
    const auto c = Status(s);
    EXPECT_EQ(c.verdict, Verdict::kPermanent) << s;
    EXPECT_EQ(c.health, Health::kSuccess) << s;
  }
}

TEST(ClassifyTest, TooManyRequestsIsRetriedAfterItsRetryAfterAndNotHeldAgainstTheUpstream) {
  const auto c = Status(429, true, "3");
  EXPECT_EQ(c.verdict, Verdict::kRetryable);
  EXPECT_EQ(c.health, Health::kIgnored);
  EXPECT_EQ(c.retry_after, seconds(3));
  EXPECT_EQ(Status(429).retry_after, std::nullopt);
  EXPECT_EQ(Status(429, true, "soon").retry_after, std::nullopt);  // malformed: own backoff
}

TEST(ClassifyTest, ServiceUnavailableHonoursAnHttpDateRetryAfter) {
  EXPECT_EQ(Status(503, true, "Sun, 06 Nov 1994 08:50:07 GMT").retry_after, seconds(30));
  EXPECT_EQ(Status(502, true, "5").retry_after, std::nullopt);  // only 429 and 503 carry it
}

TEST(ClassifyTest, NonIdempotentRequestsAreNotRetriedOnceSent) {
  EXPECT_EQ(Status(503, false).verdict, Verdict::kPermanent);
  EXPECT_EQ(Status(429, false).verdict, Verdict::kPermanent);
  EXPECT_EQ(Failure(TransportFailure::kTimeout, false).verdict, Verdict::kPermanent);
  EXPECT_EQ(Failure(TransportFailure::kBroken, false).verdict, Verdict::kPermanent);
  // ...but a request that never left is always safe to send.
  EXPECT_EQ(Failure(TransportFailure::kConnect, false).verdict, Verdict::kRetryable);
}

TEST(ClassifyTest, TransportFailures) {
  EXPECT_EQ(Failure(TransportFailure::kConnect).label, "connect_error");
  EXPECT_EQ(Failure(TransportFailure::kTimeout).verdict, Verdict::kRetryable);
  EXPECT_EQ(Failure(TransportFailure::kTimeout).health, Health::kFailure);
  EXPECT_EQ(Failure(TransportFailure::kMalformed).health, Health::kFailure);
  const auto cancelled = Failure(TransportFailure::kCancelled);
  EXPECT_EQ(cancelled.verdict, Verdict::kPermanent);
  EXPECT_EQ(cancelled.health, Health::kIgnored);
}

TEST(ClassifyTest, GenericErrorsByCode) {
  using core::Code;
  EXPECT_EQ(ClassifyError({Code::kTimeout, ""}, true).verdict, Verdict::kRetryable);
  EXPECT_EQ(ClassifyError({Code::kUnavailable, ""}, false).verdict, Verdict::kPermanent);
  EXPECT_EQ(ClassifyError({Code::kBadGateway, ""}, true).health, Health::kFailure);
  EXPECT_EQ(ClassifyError({Code::kRateLimited, ""}, true).health, Health::kIgnored);
  const auto bug = ClassifyError({Code::kInternal, ""}, true);
  EXPECT_EQ(bug.verdict, Verdict::kPermanent);
  EXPECT_EQ(bug.health, Health::kIgnored);
}

}  // namespace
}  // namespace reliability
