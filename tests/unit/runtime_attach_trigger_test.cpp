// The attach trigger's decisions from RSS readings, and its rate syntax.
#include <gtest/gtest.h>

#include "runtime/attach_trigger.h"

using namespace ms::runtime;

namespace {
constexpr uint64_t kMiB = 1024 * 1024;
}

TEST(AttachTrigger, ParsesRates) {
  std::string err;
  EXPECT_DOUBLE_EQ(*parse_growth_rate("5M/min", err), 5.0 * kMiB / 60);
  EXPECT_DOUBLE_EQ(*parse_growth_rate("100K/s", err), 100.0 * 1024);
  EXPECT_DOUBLE_EQ(*parse_growth_rate("1GiB/h", err), 1024.0 * kMiB / 3600);
  EXPECT_DOUBLE_EQ(*parse_growth_rate("512/sec", err), 512.0);
  EXPECT_DOUBLE_EQ(*parse_growth_rate("1.5MB/m", err), 1.5 * kMiB / 60);
  for (const char* bad : {"5M", "5X/min", "/s", "0M/s", "-1M/s", "5M/day", "M/s"}) {
    EXPECT_FALSE(parse_growth_rate(bad, err)) << bad;
    EXPECT_EQ(err, std::string("'") + bad + "' is not a growth rate (e.g. 5M/min, 100K/s, 1G/h)");
  }
}

TEST(AttachTrigger, GrowthCountsFromTheLowestReading) {
  AttachTrigger t;
  t.rss_growth_bytes = 4 * kMiB;
  RssTrigger r(t);
  EXPECT_EQ(r.condition(), "RSS to grow by 4.0 MiB");
  EXPECT_FALSE(r.observe(0.0, 35 * kMiB));  // memscript's fork, before the exec
  EXPECT_FALSE(r.observe(0.1, 1 * kMiB));
  EXPECT_FALSE(r.observe(0.2, 4 * kMiB));
  auto why = r.observe(0.3, 5 * kMiB);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "RSS grew 4.0 MiB since start (1.0 MiB -> 5.0 MiB; trigger 4.0 MiB)");
}

TEST(AttachTrigger, RateNeedsASecondOfHistory) {
  AttachTrigger t;
  t.rate_bytes_per_s = 2.0 * kMiB;
  t.rate_text = "2M/s";
  RssTrigger r(t);
  EXPECT_EQ(r.condition(), "RSS to grow at 2M/s");
  EXPECT_FALSE(r.observe(0.0, 10 * kMiB));
  EXPECT_FALSE(r.observe(0.5, 13 * kMiB));  // fast, but only half a second seen
  EXPECT_FALSE(r.observe(1.0, 11 * kMiB));  // 1 MiB/s over the second
  // Slow steady growth never triggers: 1 MiB/s for a while.
  for (int i = 1; i <= 10; ++i) EXPECT_FALSE(r.observe(1.0 + 0.5 * i, 11 * kMiB + i * kMiB / 2)) << i;
  // 16 MiB a second ago (the reference), 19 MiB now.
  EXPECT_FALSE(r.observe(6.5, 16 * kMiB + kMiB / 2));
  auto why = r.observe(7.0, 19 * kMiB);
  ASSERT_TRUE(why);
  EXPECT_EQ(*why, "RSS grew at 3.0 MiB/s over the last 1.0 s (16.0 MiB -> 19.0 MiB; trigger 2M/s)");
}

TEST(AttachTrigger, BothConditions) {
  AttachTrigger t;
  t.rss_growth_bytes = 100 * kMiB;
  t.rate_bytes_per_s = 5.0 * kMiB / 60;
  t.rate_text = "5M/min";
  EXPECT_EQ(RssTrigger(t).condition(), "RSS to grow by 100.0 MiB or at 5M/min");
}
