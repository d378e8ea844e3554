#include "05_observability_basics_mini/metrics/process_metrics.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

namespace obs {
namespace {

// A real /proc/<pid>/stat line whose command contains a space and a ')'.
constexpr std::string_view kStat =
    "4242 (my serv) er) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 75 0 0 20 0 3 0 123456 "
    "104857600 2560 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0\n";

TEST(ProcStatTest, ParsesFieldsCountingFromTheLastParenthesis) {
  const auto stat = ParseProcStat(kStat);
  ASSERT_TRUE(stat.has_value());
  EXPECT_EQ(stat->utime_ticks, 250u);
  EXPECT_EQ(stat->stime_ticks, 75u);
  EXPECT_EQ(stat->starttime_ticks, 123456u);
  EXPECT_EQ(stat->vsize_bytes, 104857600u);
  EXPECT_EQ(stat->rss_pages, 2560);
}

TEST(ProcStatTest, RejectsTruncatedOrMalformedContent) {
  EXPECT_FALSE(ParseProcStat("").has_value());
  EXPECT_FALSE(ParseProcStat("4242 (x) S 1 2 3").has_value());
  EXPECT_FALSE(ParseProcStat("4242 no parenthesis at all").has_value());
  std::string bad(kStat);
  bad.replace(bad.find(" 250 "), 5, " 2x0 ");
  EXPECT_FALSE(ParseProcStat(bad).has_value());
}

TEST(BootTimeTest, ReadsTheBtimeLine) {
  EXPECT_EQ(ParseBootTime("cpu  1 2 3\nintr 5\nbtime 1700000000\nprocesses 9\n"), 1700000000u);
  EXPECT_FALSE(ParseBootTime("cpu  1 2 3\n").has_value());
}

const FamilySnapshot* Find(const std::vector<FamilySnapshot>& families, std::string_view name) {
  for (const auto& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

TEST(ProcessCollectorTest, EmitsEveryDescribedFamilyForThisProcess) {
  ProcessCollector collector;
  std::vector<FamilySnapshot> out;
  collector.Collect(out);
  for (const auto& name : collector.Describe()) {
    const auto* family = Find(out, name);
    ASSERT_NE(family, nullptr) << name;
    ASSERT_EQ(family->metrics.size(), 1u) << name;
  }
  EXPECT_GT(Find(out, "process_resident_memory_bytes")->metrics[0].value, 0);
  EXPECT_GT(Find(out, "process_virtual_memory_bytes")->metrics[0].value, 0);
  EXPECT_GT(Find(out, "process_start_time_seconds")->metrics[0].value, 1.5e9);
  EXPECT_GE(Find(out, "process_max_fds")->metrics[0].value,
            Find(out, "process_open_fds")->metrics[0].value);
}

TEST(ProcessCollectorTest, CountsAFileWeOpen) {
  ProcessCollector collector;
  const auto open_fds = [&] {
    std::vector<FamilySnapshot> out;
    collector.Collect(out);
    return Find(out, "process_open_fds")->metrics[0].value;
  };
  const double before = open_fds();
  const int fd = ::open("/dev/null", O_RDONLY);
  ASSERT_GE(fd, 0);
  const double during = open_fds();
  ::close(fd);
  EXPECT_EQ(during, before + 1);
}

TEST(BuildInfoTest, RegistersOneSeriesWithValueOne) {
  Registry r;
  RegisterBuildInfo(r, {.version = "1.2.3", .compiler = "gcc 12.2.0", .build_type = "Release"});
  EXPECT_EQ(r.ExposeText(),
            "# HELP sd_build_info Build of this binary; the value is always 1.\n"
            "# TYPE sd_build_info gauge\n"
            "sd_build_info{version=\"1.2.3\",compiler=\"gcc 12.2.0\",build_type=\"Release\"} 1\n");
}

TEST(BuildInfoTest, DescribesThisBuild) {
  const BuildInfo info = CurrentBuildInfo();
  EXPECT_FALSE(info.version.empty());
  EXPECT_NE(info.compiler, "unknown");
  EXPECT_FALSE(info.build_type.empty());
}

}  // namespace
}  // namespace obs
